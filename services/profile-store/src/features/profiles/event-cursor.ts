export function encodeCursor(occurredAt: string, eventId: string): string {
  return Buffer.from(JSON.stringify([occurredAt, eventId])).toString('base64url');
}

/** Undefined for anything that is not a cursor this API issued. */
export function decodeCursor(cursor: string): { occurredAt: string; eventId: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      typeof parsed[1] === 'string'
    ) {
      if (Number.isNaN(Date.parse(parsed[0])) || !/^[0-9a-f-]{36}$/.test(parsed[1])) return undefined;
      return { occurredAt: parsed[0], eventId: parsed[1] };
    }
  } catch {
    return undefined;
  }
  return undefined;
}
