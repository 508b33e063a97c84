import { z } from 'zod';
import type { PlatformSettings } from '../cli/platform-settings';
import { PlatformClient } from '../platform/platform-client';
import { computeQuality, identifierKey, type Clustering } from '../quality/compute-quality';
import { fetchClustering } from '../quality/fetch-clustering';
import { formatQuality } from '../quality/format-quality';
import { createSendProgress } from '../sender/progress-bar';
import { sendWorld } from '../sender/send-world';
import { generateWorld } from '../world/generate-world';
import type { Person, TruthRecord, World } from '../world/model';
import { platformMessageIds } from '../world/platform-message-ids';
import { writeJsonl, writeWorld } from '../world/world-io';
import path from 'node:path';
import { renderCustomer, type ProfileViews } from './render-customer';
import { waitUntilSettled } from './wait-until-settled';

// consent's GET /v1/consent/{profileId}: the derived state per purpose
const ConsentAnswerSchema = z.object({
  purposes: z.record(z.string(), z.object({ status: z.string() }).passthrough()),
});

export interface DemoOptions {
  settings: PlatformSettings;
  seed: number;
  persons: number;
  /** The POS source's default region (null: none, so till phones carry a country code). */
  tillRegion: string | null;
  out: string;
  customers: number;
  timeoutMs: number;
  print: (...lines: string[]) => void;
}

async function checkReady(settings: PlatformSettings): Promise<string[]> {
  const services = {
    ingest: settings.ingestUrl,
    identity: settings.identityUrl,
    'profile-store': settings.profileUrl,
    consent: settings.consentUrl,
  };
  const down: string[] = [];
  await Promise.all(
    Object.entries(services).map(async ([name, url]) => {
      try {
        const res = await fetch(`${url.replace(/\/+$/, '')}/readyz`, { signal: AbortSignal.timeout(3000) });
        if (res.status !== 200) down.push(`${name} (${url}: /readyz ${res.status})`);
      } catch {
        down.push(`${name} (${url}: not answering)`);
      }
    }),
  );
  return down;
}

/** The profile holding most of a person's own identifiers. */
function mainProfile(records: TruthRecord[], clustering: Clustering): string | undefined {
  const votes = new Map<string, number>();
  for (const r of records) {
    for (const id of r.identifiers) {
      const p = id.owner === 'person' ? clustering.get(identifierKey(id.type, id.value)) : undefined;
      if (p) votes.set(p, (votes.get(p) ?? 0) + 1);
    }
  }
  return [...votes].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/**
 * Customers worth showing: the one seen on the most channels, one who changed email or used a
 * Gmail variant, one who unsubscribed, and one who gave junk at the till.
 */
function pickCustomers(
  world: World,
  recordsByPerson: Map<string, TruthRecord[]>,
  count: number,
): Array<{ title: string; person: Person }> {
  const routesOf = (p: Person): number =>
    new Set((recordsByPerson.get(p.personId) ?? []).map((r) => r.route)).size;
  const sent = (p: Person, pred: (r: TruthRecord) => boolean): boolean =>
    (recordsByPerson.get(p.personId) ?? []).some(pred);
  const candidates: Array<[string, (p: Person) => boolean]> = [
    ['Seen everywhere', (p) => routesOf(p) >= 5],
    ['Changed email address', (p) => p.emails.length > 1 && p.userId !== undefined],
    ['Unsubscribed from marketing email', (p) => sent(p, (r) => r.kind.includes('unsubscribe'))],
    ['Gave junk at the till', (p) => sent(p, (r) => r.identifiers.some((i) => i.owner === 'junk'))],
    [
      'Shares the family tablet',
      (p) => sent(p, (r) => r.identifiers.some((i) => i.owner === 'shared' && i.type === 'anonymous_id')),
    ],
  ];
  const chosen: Array<{ title: string; person: Person }> = [];
  const byRichness = [...world.persons].sort(
    (a, b) =>
      routesOf(b) - routesOf(a) ||
      (recordsByPerson.get(b.personId)?.length ?? 0) - (recordsByPerson.get(a.personId)?.length ?? 0),
  );
  for (const [title, pred] of candidates) {
    if (chosen.length >= count) break;
    const person = byRichness.find((p) => pred(p) && !chosen.some((c) => c.person === p));
    if (person) chosen.push({ title, person });
  }
  return chosen;
}

async function viewsOf(client: PlatformClient, profileId: string): Promise<ProfileViews> {
  const settle = async (p: Promise<unknown>): Promise<unknown> =>
    p.catch((err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }));
  const [profile, identities, history, consent] = await Promise.all([
    settle(client.profile(profileId)),
    settle(client.identities(profileId)),
    settle(client.merges(profileId)),
    settle(client.consent(profileId)),
  ]);
  return { profileId, profile, identities, history, consent };
}

/** Generate → send → wait until processed → show customers, the quality report and consent. */
export async function runDemo(opts: DemoOptions): Promise<void> {
  const { print, settings } = opts;
  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (!settings.readKey || Object.keys(settings.writeKeys).length === 0) {
    throw new Error(
      'keys missing: run `npm run start:platform` (it writes .tessera/dev-keys.env) or pass --write-key and --read-key',
    );
  }
  const down = await checkReady(settings);
  if (down.length > 0)
    throw new Error(
      `the platform is not ready: ${down.join('; ')}. Start it with \`npm run start:platform\`.`,
    );

  print(`1. Generating a world of ${opts.persons} people (seed ${opts.seed}) …`);
  const world = generateWorld({ seed: opts.seed, persons: opts.persons, tillRegion: opts.tillRegion });
  await writeWorld(opts.out, world, { seed: opts.seed, persons: opts.persons, tillRegion: opts.tillRegion });
  const routes = new Map<string, number>();
  for (const m of world.messages) routes.set(m.route, (routes.get(m.route) ?? 0) + 1);
  print(
    `   ${world.messages.length} messages in ${world.households.length} households: ${[...routes].map(([r, n]) => `${r} ${n}`).join(', ')} (kept in ${opts.out})`,
  );

  print(`2. Sending them through ingest (${settings.ingestUrl}) …`);
  const bar = process.stderr.isTTY ? createSendProgress(world.messages.length) : undefined;
  const sent = await sendWorld({
    messages: world.messages,
    ingestUrl: settings.ingestUrl,
    writeKeys: settings.writeKeys,
    concurrency: 8,
    batchSize: 50,
    ...(bar ? { onProgress: (s) => bar.update(s) } : {}),
  });
  bar?.stop();
  await writeJsonl(path.join(opts.out, 'sent.jsonl'), sent.outcomes);
  print(
    `   ${sent.accepted} accepted, ${sent.rejected} rejected in ${(sent.elapsedMs / 1000).toFixed(1)} s (${sent.rate.toFixed(0)} msg/s)` +
      (sent.duplicates > 0
        ? `; ${sent.duplicates} were already there from an earlier run (deduplicated)`
        : '') +
      (sent.warnings > 0 ? `; ingest left out ${sent.warnings} invalid identifier values` : ''),
  );
  if (sent.rejected > 0) {
    const codes = new Map<string, number>();
    for (const o of sent.outcomes)
      if (!o.accepted)
        codes.set(
          `${o.route} ${o.code ?? o.status}`,
          (codes.get(`${o.route} ${o.code ?? o.status}`) ?? 0) + 1,
        );
    print(`   rejected: ${[...codes].map(([c, n]) => `${c} ×${n}`).join(', ')}`);
  }
  const acceptedIds = new Set(sent.outcomes.filter((o) => o.accepted).map((o) => o.id));
  const truth = world.truth.filter((t) => acceptedIds.has(t.id));

  print('3. Waiting until identity and profile-store have processed everything …');
  const client = new PlatformClient({
    profileUrl: settings.profileUrl,
    identityUrl: settings.identityUrl,
    consentUrl: settings.consentUrl,
    readKey: settings.readKey,
  });
  const budget = Math.max(5_000, opts.timeoutMs - (Date.now() - started));
  const settled = await waitUntilSettled(client, truth, {
    timeoutMs: budget,
    sampleMessages: 400,
    onPoll: (resolved, changed) =>
      print(`   ${elapsed()}: ${resolved} sampled identifiers resolved${changed ? '' : ' (unchanged)'}`),
  });
  print(
    settled.settled
      ? `   settled after ${(settled.elapsedMs / 1000).toFixed(1)} s`
      : `   still changing after ${(settled.elapsedMs / 1000).toFixed(1)} s; showing the state so far`,
  );
  const clustering = await fetchClustering(client, truth, { concurrency: 16 });

  print('4. A few customers, from scattered touchpoints to one golden record:');
  const recordsByPerson = new Map<string, TruthRecord[]>();
  for (const t of truth) recordsByPerson.set(t.personId, [...(recordsByPerson.get(t.personId) ?? []), t]);
  // identity reports events by the messageIds ingest gave them
  const truthById = new Map<string, TruthRecord>();
  const messageById = new Map(world.messages.map((m) => [m.id, m]));
  for (const t of truth) for (const id of platformMessageIds(messageById.get(t.id)!)) truthById.set(id, t);
  for (const { title, person } of pickCustomers(world, recordsByPerson, opts.customers)) {
    const records = recordsByPerson.get(person.personId) ?? [];
    const profileId = mainProfile(records, clustering);
    const views = profileId ? await viewsOf(client, profileId) : undefined;
    for (const line of renderCustomer(title, person, records, clustering, views, truthById)) print(line);
  }

  print('', '5. Identity quality against the ground truth:', '');
  for (const line of formatQuality(computeQuality(truth, clustering)).trimEnd().split('\n'))
    print(`   ${line}`);

  print('', '6. Consent: what the unsubscribes did');
  // Consent follows the address that unsubscribed: read it on the profile that address belongs
  // to, which is not the person's main profile when their records ended up split.
  const unsubscribes = world.persons.flatMap((p) => {
    const record = (recordsByPerson.get(p.personId) ?? []).find((r) => r.kind.includes('unsubscribe'));
    const email = record?.identifiers.find((i) => i.type === 'email');
    return email ? [{ person: p, email: email.raw }] : [];
  });
  const statuses = new Map<string, number>();
  const tally = (status: string) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
  let checked = 0;
  let elsewhere = 0;
  for (const { person, email } of unsubscribes.slice(0, 20)) {
    const profileId = await client.lookup('email', email);
    checked++;
    if (!profileId) {
      tally('address on no profile');
      continue;
    }
    if (profileId !== mainProfile(recordsByPerson.get(person.personId) ?? [], clustering)) elsewhere++;
    const consent = ConsentAnswerSchema.safeParse(await client.consent(profileId).catch(() => undefined));
    tally(consent.success ? (consent.data.purposes.email_marketing?.status ?? 'unknown') : 'unavailable');
  }
  print(
    `   ${unsubscribes.length} people unsubscribed through SendGrid; email_marketing in the consent ledger for the first ${checked}, ` +
      `on the profile of the address that unsubscribed: ` +
      ([...statuses].map(([status, n]) => `${status} ×${n}`).join(', ') || 'none checked') +
      (elsewhere > 0
        ? ` (${elsewhere} of those profiles are not the person's main profile: a split person)`
        : ''),
    '   (withdrawn: the unsubscribe took back consent; denied: the latest signal is a refusal, e.g. the CRM opt-out synced later)',
  );
  print('', `Done in ${elapsed()}. Re-run the report any time: npx tessera-traffic quality --in ${opts.out}`);
}
