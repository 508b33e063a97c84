/**
 * Throughput vs. freshness as a PNG, drawn with the small raster in ./png (no native packages, no
 * ImageMagick): settled events/s on x, freshness p50/p95/p99 on y, the 1 s goal as a dashed line.
 */
import fs from 'node:fs';
import { Raster, type Rgb } from './png';

export interface ChartPoint {
  label: string;
  settledPerSec: number;
  p50: number;
  p95: number;
  p99: number;
}

const W = 960;
const H = 560;
const M = { left: 90, right: 40, top: 60, bottom: 80 };
const GREY: Rgb = [230, 230, 230];
const INK: Rgb = [30, 30, 30];
const RED: Rgb = [200, 0, 0];
const SERIES: Array<['p50' | 'p95' | 'p99', Rgb]> = [
  ['p50', [31, 119, 180]],
  ['p95', [255, 127, 14]],
  ['p99', [44, 160, 44]],
];

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const pow = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((k) => k * pow).find((c) => c >= v) ?? 10 * pow;
}

export function drawChart(points: ChartPoint[], title: string, goalMs: number): Raster {
  const img = new Raster(W, H);
  const finite = points.filter((p) => Number.isFinite(p.p99) && p.settledPerSec > 0);
  const xMax = niceMax(Math.max(1, ...finite.map((p) => p.settledPerSec)) * 1.05);
  const yMax = niceMax(Math.max(goalMs, ...finite.map((p) => p.p99)) * 1.05);
  const x = (v: number) => M.left + (v / xMax) * (W - M.left - M.right);
  const y = (v: number) => H - M.bottom - (Math.min(v, yMax) / yMax) * (H - M.top - M.bottom);
  img.text(title, W / 2, 18, INK, { align: 'center' });
  for (let i = 0; i <= 5; i += 1) {
    const xv = (xMax * i) / 5;
    const yv = (yMax * i) / 5;
    img.line(x(xv), M.top, x(xv), H - M.bottom, GREY);
    img.line(M.left, y(yv), W - M.right, y(yv), GREY);
    img.text(String(Math.round(xv)), x(xv), H - M.bottom + 10, INK, { align: 'center' });
    img.text(String(Math.round(yv)), M.left - 8, y(yv) - 7, INK, { align: 'right' });
  }
  img.line(M.left, H - M.bottom, W - M.right, H - M.bottom, INK, 2);
  img.line(M.left, M.top, M.left, H - M.bottom, INK, 2);
  img.text('settled events/s in profile-store', (M.left + W - M.right) / 2, H - 35, INK, { align: 'center' });
  img.text('freshness ms: ingest 2xx -> profile update', 14, (M.top + H - M.bottom) / 2, INK, {
    align: 'center',
    vertical: true,
  });
  img.line(M.left, y(goalMs), W - M.right, y(goalMs), RED, 2, 8);
  img.text(`goal: p99 < ${goalMs} ms`, W - M.right - 4, y(goalMs) - 20, RED, { align: 'right' });
  const sorted = [...finite].sort((a, b) => a.settledPerSec - b.settledPerSec);
  SERIES.forEach(([key, color], i) => {
    for (let k = 1; k < sorted.length; k += 1) {
      const a = sorted[k - 1]!;
      const b = sorted[k]!;
      img.line(x(a.settledPerSec), y(a[key]), x(b.settledPerSec), y(b[key]), color, 2);
    }
    for (const p of sorted) img.dot(x(p.settledPerSec), y(p[key]), 5, color);
    img.rect(M.left + 20, M.top + 12 + i * 24, 24, 6, color);
    img.text(key, M.left + 52, M.top + 8 + i * 24, INK);
  });
  for (const p of sorted) img.text(p.label, x(p.settledPerSec) + 8, y(p.p99) - 22, [90, 90, 90]);
  return img;
}

export function writeChartPng(points: ChartPoint[], title: string, goalMs: number, pngPath: string): void {
  fs.writeFileSync(pngPath, drawChart(points, title, goalMs).png());
}
