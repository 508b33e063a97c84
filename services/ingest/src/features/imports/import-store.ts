import { AppError } from '@tessera/contracts';
import { asRetryableDbError, type Queryable } from '@tessera/db';

export interface ImportRecord {
  id: string;
  sourceId: string;
  mapping: Record<string, string>;
  status: 'running' | 'completed' | 'failed';
  rowsDone: number;
  rowsAccepted: number;
  rowsRejected: number;
}

export interface RowError {
  row: number;
  field: string;
  reason: string;
}

/** `ingest.imports` and its per-row errors: the checkpoint that makes imports resumable. */
export interface ImportStore {
  /** Creates the import, or returns the existing one (resume) if the id is known for this source. */
  open(input: {
    id: string;
    sourceId: string;
    mapping: Record<string, string>;
    fileName?: string;
  }): Promise<ImportRecord>;
  /** Records rows up to `rowsDone` as processed, with their errors, in one transaction-free statement pair. */
  checkpoint(
    id: string,
    progress: { rowsDone: number; accepted: number; rejected: number; errors: RowError[] },
  ): Promise<void>;
  finish(id: string, status: 'completed' | 'failed'): Promise<void>;
  errors(id: string, limit: number): Promise<RowError[]>;
}

export function createImportStore(db: Queryable): ImportStore {
  const q = async <R extends object>(text: string, values: unknown[]) => {
    try {
      return await db.query<R>(text, values);
    } catch (err) {
      throw asRetryableDbError(err);
    }
  };
  type Row = {
    id: string;
    source_id: string;
    mapping: Record<string, string>;
    status: ImportRecord['status'];
    rows_done: string;
    rows_accepted: string;
    rows_rejected: string;
  };
  const toDomain = (r: Row): ImportRecord => ({
    id: r.id,
    sourceId: r.source_id,
    mapping: r.mapping,
    status: r.status,
    rowsDone: Number(r.rows_done),
    rowsAccepted: Number(r.rows_accepted),
    rowsRejected: Number(r.rows_rejected),
  });
  return {
    async open(input) {
      await q(
        `INSERT INTO imports (id, source_id, file_name, mapping) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
        [input.id, input.sourceId, input.fileName ?? null, JSON.stringify(input.mapping)],
      );
      const { rows } = await q<Row>(`SELECT * FROM imports WHERE id = $1`, [input.id]);
      const row = rows[0]!;
      if (row.source_id !== input.sourceId)
        throw new AppError('CONFLICT', `import ${input.id} belongs to another source`, { statusCode: 409 });
      if (row.status !== 'completed')
        await q(`UPDATE imports SET status = 'running', updated_at = now() WHERE id = $1`, [input.id]);
      return toDomain({ ...row, status: row.status === 'completed' ? 'completed' : 'running' });
    },
    async checkpoint(id, p) {
      if (p.errors.length > 0) {
        await q(
          `INSERT INTO import_row_errors (import_id, row_number, field, reason)
           SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
          [id, p.errors.map((e) => e.row), p.errors.map((e) => e.field), p.errors.map((e) => e.reason)],
        );
      }
      await q(
        `UPDATE imports SET rows_done = GREATEST(rows_done, $2), rows_accepted = rows_accepted + $3, rows_rejected = rows_rejected + $4, updated_at = now() WHERE id = $1`,
        [id, p.rowsDone, p.accepted, p.rejected],
      );
    },
    async finish(id, status) {
      await q(`UPDATE imports SET status = $2, updated_at = now() WHERE id = $1`, [id, status]);
    },
    async errors(id, limit) {
      const { rows } = await q<{ row_number: string; field: string; reason: string }>(
        `SELECT row_number, field, reason FROM import_row_errors WHERE import_id = $1 ORDER BY row_number, field LIMIT $2`,
        [id, limit],
      );
      return rows.map((r) => ({ row: Number(r.row_number), field: r.field, reason: r.reason }));
    },
  };
}
