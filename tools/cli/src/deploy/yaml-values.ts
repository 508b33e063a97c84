/** Narrowing helpers for parsed YAML (plain JSON-like values), so checks stay free of `any`. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dotted path (`spec.template.spec`), or undefined when any step is missing. */
export function at(value: unknown, path: string): Json | undefined {
  let current: unknown = value;
  for (const step of path.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[step];
  }
  return current as Json | undefined;
}

export function objectAt(value: unknown, path: string): JsonObject | undefined {
  const found = at(value, path);
  return isObject(found) ? found : undefined;
}

export function arrayAt(value: unknown, path: string): Json[] {
  const found = at(value, path);
  return Array.isArray(found) ? found : [];
}

export function stringAt(value: unknown, path: string): string | undefined {
  const found = at(value, path);
  return typeof found === 'string' ? found : undefined;
}

export function stringMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}
