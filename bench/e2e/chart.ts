/**
 * Throughput vs. freshness as a PNG: an SVG drawn here, rasterized by ImageMagick's `convert`
 * (installed on the bench machine; no native npm packages needed).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ChartPoint {
  label: string;
  settledPerSec: number;
  p50: number;
  p95: number;
  p99: number;
}

const W = 900;
const H = 520;
const M = { left: 80, right: 30, top: 50, bottom: 70 };

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const pow = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((k) => k * pow).find((c) => c >= v) ?? 10 * pow;
}

export function chartSvg(points: ChartPoint[], title: string, goalMs: number): string {
  const xMax = niceMax(Math.max(...points.map((p) => p.settledPerSec)) * 1.05);
  const yMax = niceMax(Math.max(goalMs, ...points.map((p) => p.p99).filter(Number.isFinite)) * 1.05);
  const x = (v: number) => M.left + (v / xMax) * (W - M.left - M.right);
  const y = (v: number) => H - M.bottom - (Math.min(v, yMax) / yMax) * (H - M.top - M.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif" font-size="13">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="28" text-anchor="middle" font-size="16">${title}</text>`,
  ];
  for (let i = 0; i <= 5; i += 1) {
    const xv = (xMax * i) / 5;
    const yv = (yMax * i) / 5;
    parts.push(
      `<line x1="${x(xv)}" y1="${M.top}" x2="${x(xv)}" y2="${H - M.bottom}" stroke="#eee"/>`,
      `<text x="${x(xv)}" y="${H - M.bottom + 18}" text-anchor="middle">${Math.round(xv)}</text>`,
      `<line x1="${M.left}" y1="${y(yv)}" x2="${W - M.right}" y2="${y(yv)}" stroke="#eee"/>`,
      `<text x="${M.left - 8}" y="${y(yv) + 4}" text-anchor="end">${Math.round(yv)}</text>`,
    );
  }
  parts.push(
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="black"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="black"/>`,
    `<text x="${W / 2}" y="${H - 25}" text-anchor="middle">settled events/s (profile-store)</text>`,
    `<text transform="translate(22 ${H / 2}) rotate(-90)" text-anchor="middle">freshness, ms (ingest 2xx → profile update)</text>`,
    `<line x1="${M.left}" y1="${y(goalMs)}" x2="${W - M.right}" y2="${y(goalMs)}" stroke="#c00" stroke-dasharray="6 4"/>`,
    `<text x="${W - M.right - 4}" y="${y(goalMs) - 6}" text-anchor="end" fill="#c00">goal: p99 &lt; ${goalMs} ms</text>`,
  );
  const series: Array<[keyof ChartPoint, string]> = [
    ['p50', '#1f77b4'],
    ['p95', '#ff7f0e'],
    ['p99', '#2ca02c'],
  ];
  const sorted = [...points].sort((a, b) => a.settledPerSec - b.settledPerSec);
  series.forEach(([key, color], i) => {
    const pts = sorted.filter((p) => Number.isFinite(p[key] as number));
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${x(p.settledPerSec)},${y(p[key] as number)}`).join(' ')}"/>`,
      ...pts.map((p) => `<circle cx="${x(p.settledPerSec)}" cy="${y(p[key] as number)}" r="4" fill="${color}"/>`),
      `<rect x="${M.left + 15}" y="${M.top + 8 + i * 20}" width="14" height="4" fill="${color}"/>`,
      `<text x="${M.left + 35}" y="${M.top + 14 + i * 20}">${key}</text>`,
    );
  });
  for (const p of sorted) {
    if (Number.isFinite(p.p99)) parts.push(`<text x="${x(p.settledPerSec) + 6}" y="${y(p.p99) - 8}" font-size="11" fill="#555">${p.label}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

export function writeChartPng(points: ChartPoint[], title: string, goalMs: number, pngPath: string): void {
  const svgPath = path.join(os.tmpdir(), `tessera-e2e-chart-${process.pid}.svg`);
  fs.writeFileSync(svgPath, chartSvg(points, title, goalMs));
  try {
    execFileSync('convert', [svgPath, pngPath], { timeout: 60_000 });
  } finally {
    fs.rmSync(svgPath, { force: true });
  }
}
