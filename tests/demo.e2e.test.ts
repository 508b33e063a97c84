import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDemo } from '@tessera/traffic';
import { startE2ePlatform, type E2ePlatform } from './support/e2e-platform';

/**
 * The guided demo as a newcomer runs it, on a platform of its own: generate a small world, send
 * it through the public interfaces, wait until it settles, then read golden records, the quality
 * report and consent back through the APIs.
 */
describe('guided demo', () => {
  let platform: E2ePlatform;
  let out: string;

  beforeAll(async () => {
    platform = await startE2ePlatform();
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-demo-'));
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
    if (out) fs.rmSync(out, { recursive: true, force: true });
  }, 60_000);

  it('should settle a small world and find every unsubscribe in the consent ledger', async () => {
    const lines: string[] = [];
    await runDemo({
      settings: {
        ingestUrl: platform.services.ingest.url,
        identityUrl: platform.services.identity.url,
        profileUrl: platform.services['profile-store'].url,
        consentUrl: platform.services.consent.url,
        writeKeys: { default: platform.writeKey },
        readKey: platform.readKey,
      },
      seed: 7,
      persons: 120,
      tillRegion: 'US',
      out,
      customers: 3,
      timeoutMs: 120_000,
      print: (...printed) => lines.push(...printed),
    });
    const text = lines.join('\n');

    expect(text).toMatch(/settled after [\d.]+ s/);
    expect(text).toMatch(/━━ .+ ━━/); // at least one customer shown side by side with its touchpoints
    const quality = /identifiers\s+(\d+)\s+(\d+)\s+([\d.]+)%/.exec(text);
    expect(quality).not.toBeNull();
    expect(Number(quality![2])).toBe(0); // every sent identifier is findable through the API
    expect(Number(quality![3])).toBeGreaterThan(99); // identifier precision: almost no over-merging

    // Every unsubscribe checked is on the ledger of the profile its address belongs to.
    const consent =
      /email_marketing in the consent ledger for the first (\d+), on the profile of the address that unsubscribed: (.+)/.exec(
        text,
      );
    expect(consent).not.toBeNull();
    const checked = Number(consent![1]);
    expect(checked).toBeGreaterThan(0);
    const statuses = [...consent![2].matchAll(/(\w[\w ]*?) ×(\d+)/g)].map(
      (m) => [m[1]!, Number(m[2])] as const,
    );
    expect(statuses.every(([status]) => status === 'withdrawn' || status === 'denied')).toBe(true);
    expect(statuses.reduce((sum, [, n]) => sum + n, 0)).toBe(checked);
  }, 240_000);
});
