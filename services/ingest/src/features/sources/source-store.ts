import {
  AppError,
  type Channel,
  type CreateSource,
  type EventType,
  type Source,
  type UpdateSource,
} from '@tessera/contracts';
import { asRetryableDbError, type Queryable } from '@tessera/db';

interface SourceRow {
  id: string;
  name: string;
  channel: string;
  default_region: string | null;
  allowed_event_types: string[] | null;
  rate_limit_per_second: number | null;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function toDomain(row: SourceRow): Source {
  return {
    id: row.id,
    name: row.name,
    channel: row.channel as Channel,
    defaultRegion: row.default_region,
    allowedEventTypes: row.allowed_event_types as EventType[] | null,
    rateLimitPerSecond: row.rate_limit_per_second,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const COLUMNS =
  'id, name, channel, default_region, allowed_event_types, rate_limit_per_second, disabled_at, created_at, updated_at';

/** The `ingest.sources` aggregate. */
export interface SourceStore {
  create(input: CreateSource): Promise<Source>;
  get(id: string): Promise<Source | undefined>;
  list(): Promise<Source[]>;
  update(id: string, patch: UpdateSource): Promise<Source>;
}

export function createSourceStore(db: Queryable): SourceStore {
  const query = async <R extends object>(text: string, values: unknown[]) => {
    try {
      return await db.query<R>(text, values);
    } catch (err) {
      throw asRetryableDbError(err);
    }
  };
  return {
    async create(input) {
      const result = await query<SourceRow>(
        `INSERT INTO sources (id, name, channel, default_region, allowed_event_types, rate_limit_per_second)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
        [
          input.id,
          input.name,
          input.channel,
          input.defaultRegion ?? null,
          input.allowedEventTypes ?? null,
          input.rateLimitPerSecond ?? null,
        ],
      );
      const row = result.rows[0];
      if (!row) throw new AppError('CONFLICT', `source ${input.id} already exists`, { statusCode: 409 });
      return toDomain(row);
    },
    async get(id) {
      const result = await query<SourceRow>(`SELECT ${COLUMNS} FROM sources WHERE id = $1`, [id]);
      return result.rows[0] ? toDomain(result.rows[0]) : undefined;
    },
    async list() {
      const result = await query<SourceRow>(`SELECT ${COLUMNS} FROM sources ORDER BY id`, []);
      return result.rows.map(toDomain);
    },
    async update(id, patch) {
      // COALESCE keeps a field when the patch leaves it out; `null` in the patch clears it.
      const has = (k: keyof UpdateSource) => patch[k] !== undefined;
      const result = await query<SourceRow>(
        `UPDATE sources SET
           name = CASE WHEN $2 THEN $3 ELSE name END,
           channel = CASE WHEN $4 THEN $5 ELSE channel END,
           default_region = CASE WHEN $6 THEN $7 ELSE default_region END,
           allowed_event_types = CASE WHEN $8 THEN $9::text[] ELSE allowed_event_types END,
           rate_limit_per_second = CASE WHEN $10 THEN $11::integer ELSE rate_limit_per_second END,
           disabled_at = CASE WHEN $12 THEN (CASE WHEN $13 THEN coalesce(disabled_at, now()) ELSE NULL END) ELSE disabled_at END,
           updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [
          id,
          has('name'),
          patch.name ?? null,
          has('channel'),
          patch.channel ?? null,
          has('defaultRegion'),
          patch.defaultRegion ?? null,
          has('allowedEventTypes'),
          patch.allowedEventTypes ?? null,
          has('rateLimitPerSecond'),
          patch.rateLimitPerSecond ?? null,
          has('disabled'),
          patch.disabled ?? false,
        ],
      );
      const row = result.rows[0];
      if (!row) throw new AppError('NOT_FOUND', `source ${id} does not exist`, { statusCode: 404 });
      return toDomain(row);
    },
  };
}
