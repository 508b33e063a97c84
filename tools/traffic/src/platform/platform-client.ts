import { z } from 'zod';

export type FetchLike = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

/** Thrown when a platform API answers something other than success or a clean 404. */
export class PlatformHttpError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${status} from ${url.replace(/\?.*$/, '')}: ${body.slice(0, 300)}`);
    this.name = 'PlatformHttpError';
  }
}

// the lookup may answer with the profile itself or wrap it as `{ profile }`
const ProfileRefSchema = z.union([
  z.object({ id: z.string() }).transform((p) => p.id),
  z.object({ profile: z.object({ id: z.string() }) }).transform((p) => p.profile.id),
]);

/** JSON GET with a bearer key; `undefined` on 404. */
async function getJson(fetchFn: FetchLike, url: string, token: string): Promise<unknown> {
  const res = await fetchFn(url, {
    // reads of personal data are audited with their purpose
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'x-access-purpose': 'tessera-traffic identity quality check',
    },
    signal: AbortSignal.timeout(10_000),
  }).catch((err: unknown) => {
    throw new Error(`cannot reach ${new URL(url).origin} (is the platform running? npm run start:platform)`, {
      cause: err,
    });
  });
  const text = await res.text();
  if (res.status === 404) return undefined;
  if (res.status < 200 || res.status >= 300) throw new PlatformHttpError(url, res.status, text);
  return text === '' ? {} : (JSON.parse(text) as unknown);
}

export interface PlatformEndpoints {
  /** profile-store, e.g. http://127.0.0.1:8082 */
  profileUrl: string;
  /** identity, e.g. http://127.0.0.1:8081 */
  identityUrl?: string;
  /** consent, e.g. http://127.0.0.1:8083 */
  consentUrl?: string;
  /** A key with profile:read and pii:read. */
  readKey: string;
  fetch?: FetchLike;
}

/** The read side of the running platform that the quality report and the demo use. */
export class PlatformClient {
  private readonly fetchFn: FetchLike;

  constructor(private readonly endpoints: PlatformEndpoints) {
    this.fetchFn = endpoints.fetch ?? (globalThis.fetch as unknown as FetchLike);
  }

  /** The current profile id holding an identifier, or undefined when none does. */
  async lookup(type: string, value: string): Promise<string | undefined> {
    const query = new URLSearchParams({ type, value }).toString();
    const body = await getJson(
      this.fetchFn,
      `${trim(this.endpoints.profileUrl)}/v1/profiles/lookup?${query}`,
      this.endpoints.readKey,
    ).catch((err: unknown) => {
      // a value that does not normalize (a junk phone) cannot be on any profile
      if (
        err instanceof PlatformHttpError &&
        err.status === 400 &&
        /IDENTIFIER_INVALID|"query\.value"/.test(err.body)
      )
        return undefined;
      throw err;
    });
    if (body === undefined) return undefined;
    const parsed = ProfileRefSchema.safeParse(body);
    if (!parsed.success) throw new Error('profile lookup answered without a profile id');
    return parsed.data;
  }

  profile(profileId: string): Promise<unknown> {
    return getJson(
      this.fetchFn,
      `${trim(this.endpoints.profileUrl)}/v1/profiles/${encodeURIComponent(profileId)}`,
      this.endpoints.readKey,
    );
  }

  identities(profileId: string): Promise<unknown> {
    return getJson(
      this.fetchFn,
      `${trim(this.endpoints.profileUrl)}/v1/profiles/${encodeURIComponent(profileId)}/identities`,
      this.endpoints.readKey,
    );
  }

  merges(profileId: string): Promise<unknown> {
    if (!this.endpoints.identityUrl) return Promise.resolve(undefined);
    return getJson(
      this.fetchFn,
      `${trim(this.endpoints.identityUrl)}/v1/profiles/${encodeURIComponent(profileId)}/merges`,
      this.endpoints.readKey,
    );
  }

  consent(profileId: string): Promise<unknown> {
    if (!this.endpoints.consentUrl) return Promise.resolve(undefined);
    return getJson(
      this.fetchFn,
      `${trim(this.endpoints.consentUrl)}/v1/consent/${encodeURIComponent(profileId)}`,
      this.endpoints.readKey,
    );
  }
}

const trim = (url: string): string => url.replace(/\/+$/, '');
