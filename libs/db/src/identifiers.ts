const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Validates a schema name before it is interpolated into SQL (identifiers cannot be bound as
 * parameters). Lower-case only, so quoting never changes meaning.
 */
export function assertSchemaName(schema: string): string {
  if (!IDENTIFIER.test(schema)) {
    throw new Error(`invalid schema name "${schema}": must match ${IDENTIFIER.source}`);
  }
  return schema;
}

/** `"schema"` for SQL text; the name must already be valid. */
export function quoteIdent(name: string): string {
  return `"${assertSchemaName(name)}"`;
}
