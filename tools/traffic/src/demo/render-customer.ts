import { z } from 'zod';
import { identifierKey, type Clustering } from '../quality/compute-quality';
import type { Person, TruthIdentifier, TruthRecord } from '../world/model';

/** What the platform said about one profile (each part optional: a service may be down or older). */
export interface ProfileViews {
  profileId: string;
  profile?: unknown;
  identities?: unknown;
  history?: unknown;
  consent?: unknown;
}

const HistorySchema = z.object({
  merges: z.array(
    z.object({
      linkingIdentifier: z.object({ type: z.string() }),
      rule: z.string(),
      at: z.string(),
      triggeringEvent: z.object({ messageId: z.string().nullable() }).partial().optional(),
    }),
  ),
  decisions: z.array(
    z.object({
      messageId: z.string().nullable(),
      identifier: z.object({ type: z.string() }),
      outcome: z.string(),
      rule: z.string(),
      detail: z.string(),
    }),
  ),
  quarantined: z
    .array(z.object({ identifier: z.object({ type: z.string() }), reason: z.string() }))
    .optional(),
});

const short = (id: string): string => (id.length > 13 ? `${id.slice(0, 8)}…` : id);
const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Flattens `{ a: { b: 1 } }` to `a.b = 1` lines, skipping noise, for a compact golden-record view. */
function flatten(value: unknown, prefix = '', out: string[] = [], depth = 0): string[] {
  if (value === null || typeof value !== 'object' || depth > 2) {
    out.push(`${prefix} = ${show(value)}`);
    return out;
  }
  if (Array.isArray(value)) {
    out.push(`${prefix} = ${JSON.stringify(value).slice(0, 100)}`);
    return out;
  }
  for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out, depth + 1);
  return out;
}

function goldenLines(profile: unknown): string[] {
  if (profile === undefined) return ['(profile not available)'];
  const p = profile as Record<string, unknown>;
  const parts: string[] = [];
  for (const section of ['traits', 'computed', 'consent'])
    if (p[section] !== undefined) parts.push(...flatten(p[section], section));
  return parts.length > 0 ? parts : flatten(profile);
}

function identityLines(identities: unknown): string[] {
  const list = Array.isArray(identities)
    ? identities
    : Array.isArray((identities as { identities?: unknown })?.identities)
      ? (identities as { identities: unknown[] }).identities
      : undefined;
  if (!list)
    return identities === undefined
      ? ['(identities not available)']
      : [JSON.stringify(identities).slice(0, 300)];
  return list.map((i) => {
    const r = i as Record<string, unknown>;
    return `${String(r.type)}: ${show(r.value ?? r.matchKey ?? r.hash)}`;
  });
}

/** The identifiers a person sent, deduplicated by normalized value, with where each landed. */
function sentIdentifiers(
  records: TruthRecord[],
  clustering: Clustering,
): Array<{ id: TruthIdentifier; raws: Set<string>; routes: Set<string>; count: number; profile?: string }> {
  const byKey = new Map<
    string,
    { id: TruthIdentifier; raws: Set<string>; routes: Set<string>; count: number; profile?: string }
  >();
  for (const r of records) {
    for (const id of r.identifiers) {
      const key = identifierKey(id.type, id.value);
      const entry = byKey.get(key) ?? { id, raws: new Set<string>(), routes: new Set<string>(), count: 0 };
      entry.raws.add(id.raw);
      entry.routes.add(r.route);
      entry.count++;
      const profile = clustering.get(key);
      if (profile) entry.profile = profile;
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()];
}

/** One customer: raw touchpoints on the left of the story, the golden record and its explanation on the right. */
export function renderCustomer(
  title: string,
  person: Person,
  records: TruthRecord[],
  clustering: Clustering,
  views: ProfileViews | undefined,
  truthById: Map<string, TruthRecord>,
): string[] {
  const lines: string[] = [];
  lines.push(
    '',
    `━━ ${title}: ${person.firstName} ${person.lastName} (${person.personId}, household ${person.householdId}, ${person.country}) ━━`,
  );
  const byRoute = new Map<string, Map<string, number>>();
  for (const r of records) {
    const kinds = byRoute.get(r.route) ?? new Map<string, number>();
    kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
    byRoute.set(r.route, kinds);
  }
  lines.push(`  raw touchpoints: ${records.length} messages`);
  for (const [route, kinds] of byRoute) {
    const total = [...kinds.values()].reduce((a, b) => a + b, 0);
    lines.push(
      `    ${route.padEnd(9)} ${String(total).padStart(3)}  ${[...kinds].map(([k, n]) => `${k} ×${n}`).join(', ')}`,
    );
  }
  lines.push('  identifiers as sent  →  normalized  →  profile');
  for (const e of sentIdentifiers(records, clustering)) {
    const raws = [...e.raws].map((r) => JSON.stringify(r)).join(' ');
    const note =
      e.id.owner === 'person' ? '' : e.id.owner === 'shared' ? ' (shared in the household)' : ' (junk)';
    const where = e.profile
      ? views && e.profile === views.profileId
        ? 'this profile'
        : `other profile ${short(e.profile)}`
      : 'not linked';
    lines.push(`    ${e.id.type.padEnd(20)} ${raws.slice(0, 70)}${note}  →  ${e.id.value}  →  ${where}`);
  }
  if (!views) {
    lines.push('  golden record: none found (the platform did not resolve this person)');
    return lines;
  }
  lines.push(`  golden record ${views.profileId}:`);
  for (const l of goldenLines(views.profile).slice(0, 24)) lines.push(`    ${l}`);
  lines.push('  identities on the profile:');
  for (const l of identityLines(views.identities).slice(0, 20)) lines.push(`    ${l}`);
  const history = HistorySchema.safeParse(views.history);
  if (!history.success) {
    lines.push(
      `  stitching history: ${views.history === undefined ? 'not available' : 'unrecognized answer'}`,
    );
  } else {
    lines.push(`  stitched (${history.data.merges.length} merges):`);
    for (const m of history.data.merges.slice(0, 10)) {
      const trigger = m.triggeringEvent?.messageId ? truthById.get(m.triggeringEvent.messageId) : undefined;
      const via = trigger
        ? ` — by ${trigger.route} ${trigger.kind} carrying ${trigger.identifiers
            .filter((i) => i.type === m.linkingIdentifier.type)
            .map((i) => JSON.stringify(i.raw))
            .join(', ')}`
        : '';
      lines.push(`    ${m.at}  linked through ${m.linkingIdentifier.type} by rule "${m.rule}"${via}`);
    }
    const refused = history.data.decisions.filter((d) => d.outcome.startsWith('refused'));
    lines.push(`  refused (${refused.length}):`);
    for (const d of refused.slice(0, 8)) {
      const source = d.messageId ? truthById.get(d.messageId) : undefined;
      const raw = source?.identifiers
        .filter((i) => i.type === d.identifier.type)
        .map((i) => JSON.stringify(i.raw))
        .join(', ');
      lines.push(
        `    ${d.identifier.type}${raw ? ` ${raw}` : ''}${source ? ` from ${source.route} ${source.kind}` : ''}: ${d.outcome} (${d.rule}) ${d.detail}`,
      );
    }
    for (const q of history.data.quarantined ?? [])
      lines.push(`    quarantined ${q.identifier.type}: ${q.reason}`);
  }
  if (views.consent !== undefined) {
    lines.push('  consent:');
    for (const l of flatten(views.consent).slice(0, 12)) lines.push(`    ${l}`);
  }
  return lines;
}
