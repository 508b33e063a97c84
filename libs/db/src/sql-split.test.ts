import { splitSqlStatements } from './sql-split';

describe('splitSqlStatements', () => {
  it('should split at top-level semicolons and drop empty statements', () => {
    expect(splitSqlStatements('CREATE TABLE a (x int);\n\nCREATE INDEX CONCURRENTLY i ON a (x);\n')).toEqual([
      'CREATE TABLE a (x int)',
      'CREATE INDEX CONCURRENTLY i ON a (x)',
    ]);
  });

  it('should not split inside quotes, identifiers, dollar quotes or comments', () => {
    const sql = [
      '-- migrate:no-transaction; really',
      "INSERT INTO t VALUES ('a;b', 'it''s;');",
      'CREATE TABLE "we;ird" (x int);',
      'CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;',
      'DO $$ BEGIN PERFORM 1; END $$;',
      '/* block; comment */ SELECT 1;',
    ].join('\n');
    const statements = splitSqlStatements(sql);
    expect(statements).toHaveLength(5);
    expect(statements[0]).toContain("'a;b', 'it''s;'");
    expect(statements[1]).toBe('CREATE TABLE "we;ird" (x int)');
    expect(statements[2]).toContain('RETURN 1; END; $body$');
    expect(statements[3]).toBe('DO $$ BEGIN PERFORM 1; END $$');
    expect(statements[4]).toBe('/* block; comment */ SELECT 1');
  });

  it('should drop trailing comment-only fragments', () => {
    expect(splitSqlStatements('SELECT 1;\n-- the end\n')).toEqual(['SELECT 1']);
  });
});
