export interface MinimizeResult {
  x: number[];
  value: number;
  iterations: number;
  converged: boolean;
}

export interface NelderMeadOptions {
  maxIterations?: number;
  /** Stop when the simplex's function values differ by less than this. */
  tolerance?: number;
  /** Initial simplex step per coordinate. */
  step?: number;
}

/**
 * Nelder–Mead downhill simplex minimisation (standard coefficients: reflection 1, expansion 2,
 * contraction ½, shrink ½). Derivative-free, which suits likelihoods built from special functions.
 * Non-finite objective values are treated as +∞ so the simplex walks away from invalid regions.
 */
export function nelderMead(
  f: (x: number[]) => number,
  start: number[],
  opts: NelderMeadOptions = {},
): MinimizeResult {
  const maxIterations = opts.maxIterations ?? 5000;
  const tolerance = opts.tolerance ?? 1e-10;
  const step = opts.step ?? 0.5;
  const n = start.length;
  const evaluate = (x: number[]): number => {
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };

  let simplex: Array<{ x: number[]; v: number }> = [{ x: [...start], v: evaluate(start) }];
  for (let i = 0; i < n; i++) {
    const x = [...start];
    x[i] = x[i]! + step;
    simplex.push({ x, v: evaluate(x) });
  }

  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    simplex.sort((p, q) => p.v - q.v);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (
      Math.abs(worst.v - best.v) <= tolerance * (Math.abs(best.v) + tolerance) &&
      Number.isFinite(worst.v)
    ) {
      return { x: best.x, value: best.v, iterations, converged: true };
    }
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]!.x[j]! / n;
    const along = (t: number) => centroid.map((c, j) => c + t * (worst.x[j]! - c));

    const reflected = along(-1);
    const vr = evaluate(reflected);
    if (vr < best.v) {
      const expanded = along(-2);
      const ve = evaluate(expanded);
      simplex[n] = ve < vr ? { x: expanded, v: ve } : { x: reflected, v: vr };
      continue;
    }
    if (vr < simplex[n - 1]!.v) {
      simplex[n] = { x: reflected, v: vr };
      continue;
    }
    const contracted = vr < worst.v ? along(-0.5) : along(0.5);
    const vc = evaluate(contracted);
    if (vc < Math.min(vr, worst.v)) {
      simplex[n] = { x: contracted, v: vc };
      continue;
    }
    simplex = simplex.map((p, i) => {
      if (i === 0) return p;
      const x = p.x.map((xj, j) => best.x[j]! + 0.5 * (xj - best.x[j]!));
      return { x, v: evaluate(x) };
    });
  }
  simplex.sort((p, q) => p.v - q.v);
  return { x: simplex[0]!.x, value: simplex[0]!.v, iterations, converged: false };
}
