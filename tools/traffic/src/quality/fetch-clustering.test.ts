import { PlatformClient, type FetchLike } from '../platform/platform-client';
import type { TruthRecord } from '../world/model';
import { identifierKey } from './compute-quality';
import { fetchClustering } from './fetch-clustering';

const record = (personId: string, ids: Array<[string, string]>): TruthRecord => ({
  id: `${personId}-${ids.length}`,
  seq: 0,
  route: 'web',
  personId,
  kind: 'identify',
  at: '2026-09-01T00:00:00.000Z',
  events: 1,
  identifiers: ids.map(([type, value]) => ({ type, raw: value, value, owner: 'person' })),
});

describe('fetchClustering', () => {
  it('fetchClustering should look each distinct identifier up once with the read key and leave 404s out', async () => {
    const calls: string[] = [];
    const fakeFetch: FetchLike = async (url, init) => {
      calls.push(url);
      expect(init?.headers?.authorization).toBe('Bearer rk');
      const q = new URL(url).searchParams;
      const found: Record<string, unknown> = {
        'email:a@x.com': { id: 'P1' },
        'user_id:u1': { profile: { id: 'P1' } },
      };
      const body = found[`${q.get('type')}:${q.get('value')}`];
      return {
        status: body ? 200 : 404,
        headers: { get: () => null },
        text: async () => JSON.stringify(body ?? { code: 'PROFILE_NOT_FOUND', message: 'x' }),
      };
    };
    const client = new PlatformClient({ profileUrl: 'http://ps:8082/', readKey: 'rk', fetch: fakeFetch });
    const clustering = await fetchClustering(client, [
      record('A', [
        ['email', 'a@x.com'],
        ['user_id', 'u1'],
      ]),
      record('A', [
        ['email', 'a@x.com'],
        ['phone', '+15550001111'],
      ]),
    ]);
    expect(calls).toHaveLength(3);
    expect(calls[0]).toBe('http://ps:8082/v1/profiles/lookup?type=email&value=a%40x.com');
    expect(clustering).toEqual(
      new Map([
        [identifierKey('email', 'a@x.com'), 'P1'],
        [identifierKey('user_id', 'u1'), 'P1'],
      ]),
    );
  });

  it('fetchClustering should fail loudly when the API answers an error other than 404', async () => {
    const fakeFetch: FetchLike = async () => ({
      status: 403,
      headers: { get: () => null },
      text: async () => '{"code":"FORBIDDEN","message":"needs pii:read"}',
    });
    const client = new PlatformClient({ profileUrl: 'http://ps', readKey: 'rk', fetch: fakeFetch });
    await expect(fetchClustering(client, [record('A', [['email', 'a@x.com']])])).rejects.toThrow(
      /403 .*FORBIDDEN/,
    );
  });
});

describe('PlatformClient.lookup', () => {
  it('PlatformClient.lookup should treat an identifier the platform cannot normalize as on no profile', async () => {
    const fakeFetch: FetchLike = async () => ({
      status: 400,
      headers: { get: () => null },
      text: async () => '{"code":"IDENTIFIER_INVALID","message":"not a phone number"}',
    });
    const client = new PlatformClient({ profileUrl: 'http://ps', readKey: 'rk', fetch: fakeFetch });
    await expect(client.lookup('phone', '0000000000')).resolves.toBeUndefined();
  });
});
