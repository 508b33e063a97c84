/** Number formats of the e2e report's tables ('–' for a value that was not measured). */
export const n0 = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
export const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '–');
export const ms = (v: number): string => (Number.isFinite(v) ? String(Math.round(v)) : '–');
export const mb = (v: number | undefined): string =>
  v !== undefined && Number.isFinite(v) ? v.toFixed(0) : '–';
