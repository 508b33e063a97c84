/**
 * Splits a SQL script into statements at top-level semicolons, respecting quotes, quoted
 * identifiers, dollar-quoted bodies and comments. Needed for `-- migrate:no-transaction` files:
 * Postgres runs a multi-statement simple query as one implicit transaction, where
 * `CREATE INDEX CONCURRENTLY` is refused, so such files are sent one statement at a time.
 */
export function splitSqlStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  const push = () => {
    const trimmed = current.trim();
    if (trimmed.length > 0 && !isOnlyComments(trimmed)) statements.push(trimmed);
    current = '';
  };
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end + 1;
      current += sql.slice(i, stop);
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      current += sql.slice(i, stop);
      i = stop;
    } else if (ch === "'" || ch === '"') {
      const stop = closingQuote(sql, i, ch);
      current += sql.slice(i, stop);
      i = stop;
    } else if (ch === '$') {
      const tag = /^\$[A-Za-z_][A-Za-z0-9_]*\$|^\$\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        const stop = end === -1 ? sql.length : end + tag.length;
        current += sql.slice(i, stop);
        i = stop;
      } else {
        current += ch;
        i += 1;
      }
    } else if (ch === ';') {
      push();
      i += 1;
    } else {
      current += ch;
      i += 1;
    }
  }
  push();
  return statements;
}

/** Index just past the quote closing the one at `start` (doubled quotes are escapes). */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return sql.length;
}

function isOnlyComments(statement: string): boolean {
  return (
    statement
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/--[^\n]*/g, '')
      .trim().length === 0
  );
}
