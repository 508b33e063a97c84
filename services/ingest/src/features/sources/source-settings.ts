import {
  AppError,
  type CreateSourceRequestV1,
  type SetWebhookVerificationV1,
  type Source,
  type SourceViewV1,
  type UpdateSourceRequestV1,
} from '@tessera/contracts';
import type { WebhookCredentials } from '../connectors/webhook-credentials';
import type { SourceStore, StoredWebhook } from './source-store';

/** Source settings as the admin API and the CLI manage them; write keys are in write-keys.ts. */
export interface SourceSettings {
  create(input: CreateSourceRequestV1): Promise<SourceViewV1>;
  list(): Promise<SourceViewV1[]>;
  /** NOT_FOUND (404) for an unknown source. */
  get(id: string): Promise<SourceViewV1>;
  /** Missing fields stay unchanged; `webhookVerification: null` turns verification off. */
  update(id: string, patch: UpdateSourceRequestV1): Promise<SourceViewV1>;
}

export interface SourceSettingsDeps {
  store: SourceStore;
  credentials: WebhookCredentials;
  /** Told after a source changed, so this process's caches drop it at once. */
  onChange?: (sourceId: string) => void;
}

export const sourceNotFound = (id: string) =>
  new AppError('NOT_FOUND', `source ${id} does not exist`, { statusCode: 404 });

export function createSourceSettings(deps: SourceSettingsDeps): SourceSettings {
  const view = (source: Source, webhook: StoredWebhook | null): SourceViewV1 => ({
    schemaVersion: 1,
    ...source,
    webhookVerification: webhook ? deps.credentials.view(webhook) : null,
  });
  // Sealed before anything is written, so a bad key or a missing keyring changes nothing.
  const sealed = async (id: string, input: SetWebhookVerificationV1 | null | undefined) =>
    input === undefined ? undefined : input === null ? null : deps.credentials.seal(id, input);

  return {
    async create(input) {
      const { webhookVerification, ...fields } = input;
      const webhook = await sealed(input.id, webhookVerification);
      const source = await deps.store.create(fields);
      const stored = webhook ? await deps.store.setWebhook(source.id, webhook) : null;
      deps.onChange?.(source.id);
      return view(stored ? ((await deps.store.get(source.id)) ?? source) : source, stored);
    },
    async list() {
      const [sources, webhooks] = await Promise.all([deps.store.list(), deps.store.listWebhooks()]);
      return sources.map((s) => view(s, webhooks.get(s.id) ?? null));
    },
    async get(id) {
      const [source, webhook] = await Promise.all([deps.store.get(id), deps.store.getWebhook(id)]);
      if (!source) throw sourceNotFound(id);
      return view(source, webhook);
    },
    async update(id, patch) {
      const { webhookVerification, ...fields } = patch;
      const webhook = await sealed(id, webhookVerification);
      let source = await deps.store.update(id, fields);
      let stored: StoredWebhook | null;
      if (webhook === undefined) {
        stored = await deps.store.getWebhook(id);
      } else {
        stored = await deps.store.setWebhook(id, webhook);
        source = (await deps.store.get(id)) ?? source;
      }
      deps.onChange?.(id);
      return view(source, stored);
    },
  };
}
