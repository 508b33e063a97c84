import {
  AppError,
  type Channel,
  type CreateSource,
  type EventType,
  type Source,
  type UpdateSource,
  type WebhookVendor,
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

/**
 * A source's webhook verification as stored: `credential` is SendGrid's public key or Shopify's
 * sealed (encrypted) secret; see webhook-credentials.ts. Never part of `Source`, so nothing that
 * prints sources can print it.
 */
export interface StoredWebhook {
  vendor: WebhookVendor;
  credential: string;
  toleranceSeconds: number | null;
  updatedAt: string;
}

interface WebhookRow {
  id: string;
  webhook_vendor: WebhookVendor;
  webhook_credential: string;
  webhook_tolerance_seconds: number | null;
  webhook_updated_at: Date;
}

const webhookToDomain = (row: WebhookRow): StoredWebhook => ({
  vendor: row.webhook_vendor,
  credential: row.webhook_credential,
  toleranceSeconds: row.webhook_tolerance_seconds,
  updatedAt: row.webhook_updated_at.toISOString(),
});

const WEBHOOK_COLUMNS =
  'id, webhook_vendor, webhook_credential, webhook_tolerance_seconds, webhook_updated_at';

/** The `ingest.sources` aggregate. */
export interface SourceStore {
  create(input: CreateSource): Promise<Source>;
  get(id: string): Promise<Source | undefined>;
  list(): Promise<Source[]>;
  update(id: string, patch: UpdateSource): Promise<Source>;
  /** The source's webhook verification; null when it has none (or the source does not exist). */
  getWebhook(id: string): Promise<StoredWebhook | null>;
  /** Every source's webhook verification, by source id (for listings: one query). */
  listWebhooks(): Promise<Map<string, StoredWebhook>>;
  /** Sets (or with null, removes) the webhook verification; NOT_FOUND for an unknown source. */
  setWebhook(
    id: string,
    webhook: { vendor: WebhookVendor; credential: string; toleranceSeconds: number | null } | null,
  ): Promise<StoredWebhook | null>;
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
    async getWebhook(id) {
      const result = await query<WebhookRow>(
        `SELECT ${WEBHOOK_COLUMNS} FROM sources WHERE id = $1 AND webhook_vendor IS NOT NULL`,
        [id],
      );
      return result.rows[0] ? webhookToDomain(result.rows[0]) : null;
    },
    async listWebhooks() {
      const result = await query<WebhookRow>(
        `SELECT ${WEBHOOK_COLUMNS} FROM sources WHERE webhook_vendor IS NOT NULL`,
        [],
      );
      return new Map(result.rows.map((row) => [row.id, webhookToDomain(row)]));
    },
    async setWebhook(id, webhook) {
      const result = await query<WebhookRow>(
        `UPDATE sources SET webhook_vendor = $2, webhook_credential = $3, webhook_tolerance_seconds = $4,
           webhook_updated_at = CASE WHEN $2::text IS NULL THEN NULL ELSE now() END, updated_at = now()
         WHERE id = $1 RETURNING ${WEBHOOK_COLUMNS}`,
        [id, webhook?.vendor ?? null, webhook?.credential ?? null, webhook?.toleranceSeconds ?? null],
      );
      const row = result.rows[0];
      if (!row) throw new AppError('NOT_FOUND', `source ${id} does not exist`, { statusCode: 404 });
      return row.webhook_vendor === null ? null : webhookToDomain(row);
    },
  };
}
