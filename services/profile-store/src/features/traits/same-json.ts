/**
 * Whether two JSON values serialise identically (`JSON.stringify(a) === JSON.stringify(b)`,
 * object key order included), without serialising the common cases: primitives and arrays of
 * primitives are compared directly, anything else falls back to JSON.stringify. Ingestion asks
 * this for every computed trait and every touched golden value of every event, and the two
 * stringifies per question were a visible share of its CPU profile.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (isPlain(a) && isPlain(b)) return a === b;
  if (
    Array.isArray(a) &&
    Array.isArray(b) &&
    a.length === b.length &&
    a.every(isPlainElement) &&
    b.every(isPlainElement)
  )
    return a.every((x, i) => x === b[i]);
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Values whose JSON text is equal exactly when they are `===`: strings, booleans, null, undefined
 * and finite numbers (0 and -0 both print "0" and are ===). NaN and ±Infinity print "null", so
 * they take the JSON.stringify path.
 */
function isPlain(v: unknown): boolean {
  const t = typeof v;
  return (
    t === 'string' ||
    t === 'boolean' ||
    v === null ||
    v === undefined ||
    (t === 'number' && Number.isFinite(v))
  );
}

/** In arrays undefined prints "null", so it is not compared by ===. */
function isPlainElement(v: unknown): boolean {
  return v !== undefined && isPlain(v);
}
