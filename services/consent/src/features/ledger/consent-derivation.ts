import type { ConsentStatus } from '@tessera/contracts';

export type DerivedStatus = ConsentStatus | 'unknown';

/** One ledger record as derivation sees it (no proof, no subject: those do not decide state). */
export interface LedgerEntry {
  recordId: string;
  purpose: string;
  status: ConsentStatus;
  source: string;
  reason?: string | undefined;
  effectiveAt: Date;
  recordedAt: Date;
  expiresAt?: Date | undefined;
}

export interface DerivedConsent {
  status: DerivedStatus;
  /** The record that decided the state (absent when nothing is in effect). */
  record?: LedgerEntry;
  /** When this derivation stops being true without a new record (an expiry or a scheduled record). */
  nextTransitionAt?: Date;
}

/** Higher is stricter. `unknown` is not a record status; see `stricterStatus` for merges. */
const STRICTNESS: Record<ConsentStatus, number> = { granted: 0, denied: 1, withdrawn: 2 };

/**
 * Total order on records used to pick the winner: later effective time first; at the same instant
 * the stricter status (a simultaneous grant and withdrawal must not grant); then record id, so the
 * result never depends on the order records were read in.
 */
export function compareRecords(a: LedgerEntry, b: LedgerEntry): number {
  const byTime = a.effectiveAt.getTime() - b.effectiveAt.getTime();
  if (byTime !== 0) return byTime;
  const byStrictness = STRICTNESS[a.status] - STRICTNESS[b.status];
  if (byStrictness !== 0) return byStrictness;
  return a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0;
}

/**
 * The current state of one purpose from its records: the latest record in effect wins, ties resolve to
 * the stricter status, and a grant past its expiry no longer counts (state `unknown`: the subject must
 * be asked again; an expired grant never revives an older one). Records effective in the future are
 * ignored until then.
 */
export function deriveConsent(records: readonly LedgerEntry[], now: Date): DerivedConsent {
  let winner: LedgerEntry | undefined;
  let nextScheduled: number | undefined;
  for (const record of records) {
    const at = record.effectiveAt.getTime();
    if (at > now.getTime()) {
      nextScheduled = nextScheduled === undefined ? at : Math.min(nextScheduled, at);
      continue;
    }
    if (winner === undefined || compareRecords(record, winner) > 0) winner = record;
  }
  let nextTransition = nextScheduled;
  if (winner === undefined) return withNext({ status: 'unknown' }, nextTransition);
  if (winner.status === 'granted' && winner.expiresAt !== undefined) {
    const expiry = winner.expiresAt.getTime();
    if (expiry <= now.getTime()) return withNext({ status: 'unknown', record: winner }, nextTransition);
    nextTransition = nextTransition === undefined ? expiry : Math.min(nextTransition, expiry);
  }
  return withNext({ status: winner.status, record: winner }, nextTransition);
}

function withNext(result: DerivedConsent, next: number | undefined): DerivedConsent {
  return next === undefined ? result : { ...result, nextTransitionAt: new Date(next) };
}

/** State for every purpose that has records, plus `unknown` for configured purposes without any. */
export function deriveAll(
  records: readonly LedgerEntry[],
  purposes: readonly string[],
  now: Date,
): Record<string, DerivedConsent> {
  const byPurpose = new Map<string, LedgerEntry[]>();
  for (const purpose of purposes) byPurpose.set(purpose, []);
  for (const record of records) {
    const list = byPurpose.get(record.purpose) ?? [];
    list.push(record);
    byPurpose.set(record.purpose, list);
  }
  const result: Record<string, DerivedConsent> = {};
  for (const [purpose, list] of byPurpose) result[purpose] = deriveConsent(list, now);
  return result;
}

/**
 * Strictness used when two subjects' states meet (merges): withdrawn > denied > granted. `unknown`
 * yields to any recorded status, because an anonymous profile that never said anything must not
 * revoke the consent its known twin gave.
 */
export function stricterStatus(a: DerivedStatus, b: DerivedStatus): DerivedStatus {
  if (a === 'unknown') return b;
  if (b === 'unknown') return a;
  return STRICTNESS[a] >= STRICTNESS[b] ? a : b;
}
