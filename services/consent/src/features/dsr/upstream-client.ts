import { z } from 'zod';
import { AppError, HashedIdentifierSchema, UuidSchema } from '@tessera/contracts';

/**
 * The shape of profile-store's `GET /v1/profiles/{id}/export` this service relies on (other fields
 * pass through into the access bundle untouched). Documented in docs/privacy.md.
 */
export const ProfileExportSchema = z
  .object({
    profile: z.object({ id: UuidSchema, mergedFrom: z.array(UuidSchema).default([]) }).passthrough(),
    identities: z.array(HashedIdentifierSchema.passthrough()),
    traits: z.array(z.unknown()).default([]),
    events: z.array(z.unknown()).default([]),
    merges: z.array(z.unknown()).default([]),
  })
  .passthrough();
export type ProfileExport = z.infer<typeof ProfileExportSchema>;

const LookupSchema = z.object({
  id: UuidSchema.optional(),
  profile: z.object({ id: UuidSchema }).passthrough().optional(),
});

export interface UpstreamClient {
  /** undefined when the profile does not exist (already erased, or never did). */
  exportProfile(profileId: string): Promise<ProfileExport | undefined>;
  /** Identity's merge history of the profile, as returned (undefined on 404). */
  merges(profileId: string): Promise<unknown>;
  /** The profile owning an identifier (profile-store normalizes the value as ingest does). */
  lookup(type: string, value: string): Promise<string | undefined>;
}

export interface UpstreamSettings {
  profileStoreUrl: string;
  identityUrl: string;
  /** An API key with privacy:admin (export) and profile:read (lookup, merges). */
  token: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** HTTP client for the other services' privacy endpoints. Network errors and 5xx are retryable. */
export function createUpstreamClient(settings: UpstreamSettings): UpstreamClient {
  const doFetch = settings.fetch ?? fetch;
  async function getJson(base: string, path: string): Promise<unknown> {
    let response: Response;
    try {
      response = await doFetch(new URL(path, base), {
        headers: { authorization: `Bearer ${settings.token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(settings.timeoutMs ?? 15_000),
      });
    } catch (cause) {
      throw new AppError(
        'UPSTREAM_UNAVAILABLE',
        `GET ${new URL(path, base).origin}${path.split('?')[0]} failed`,
        {
          statusCode: 503,
          retryable: true,
          cause,
        },
      );
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new AppError('UPSTREAM_UNAVAILABLE', `GET ${path.split('?')[0]} answered ${response.status}`, {
        statusCode: 503,
        retryable: response.status >= 500 || response.status === 429,
      });
    }
    return response.json();
  }
  return {
    async exportProfile(profileId) {
      const body = await getJson(
        settings.profileStoreUrl,
        `/v1/profiles/${encodeURIComponent(profileId)}/export`,
      );
      if (body === undefined) return undefined;
      const parsed = ProfileExportSchema.safeParse(body);
      if (!parsed.success) {
        throw new AppError(
          'UPSTREAM_UNAVAILABLE',
          'profile-store export did not match the documented shape',
          {
            statusCode: 502,
            cause: parsed.error,
          },
        );
      }
      return parsed.data;
    },
    merges(profileId) {
      return getJson(settings.identityUrl, `/v1/profiles/${encodeURIComponent(profileId)}/merges`);
    },
    async lookup(type, value) {
      const query = new URLSearchParams({ type, value }).toString();
      const body = await getJson(settings.profileStoreUrl, `/v1/profiles/lookup?${query}`);
      if (body === undefined) return undefined;
      const parsed = LookupSchema.safeParse(body);
      if (!parsed.success) return undefined;
      return parsed.data.profile?.id ?? parsed.data.id;
    },
  };
}
