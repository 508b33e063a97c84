/** Kinds of data-subject request. */
export const DsrKinds = ['access', 'erasure', 'rectification', 'opt_out_sale'] as const;
export type DsrKind = (typeof DsrKinds)[number];

/**
 * Persisted states. Every transition is committed before the next step starts, so a crash resumes
 * at the last committed state and each step is idempotent (re-publishing a command or a suppression
 * entry, re-deleting rows, refetching an export all converge).
 */
export const DsrStatuses = ['received', 'planned', 'dispatched', 'verifying', 'completed', 'failed'] as const;
export type DsrStatus = (typeof DsrStatuses)[number];

const FLOWS: Record<DsrKind, readonly DsrStatus[]> = {
  access: ['received', 'completed'],
  opt_out_sale: ['received', 'completed'],
  erasure: ['received', 'planned', 'dispatched', 'verifying', 'completed'],
  rectification: ['received', 'planned', 'dispatched', 'verifying', 'completed'],
};

/** The state after `status` succeeds for this kind (undefined when terminal). */
export function nextStatus(kind: DsrKind, status: DsrStatus): DsrStatus | undefined {
  if (status === 'completed' || status === 'failed') return undefined;
  const flow = FLOWS[kind];
  const index = flow.indexOf(status);
  if (index < 0) throw new Error(`status ${status} is not part of the ${kind} flow`);
  return flow[index + 1];
}

export const isTerminal = (status: DsrStatus): boolean => status === 'completed' || status === 'failed';

/** A downstream service's answer to a privacy command (from the privacy status topic). */
export interface ServiceReport {
  service: string;
  status: 'pending' | 'done' | 'failed';
  /** Rows/keys still referencing the subject after the service's erase; null until reported. */
  residue: number | null;
}

export type DispatchDecision =
  | { action: 'wait' }
  | { action: 'resend'; services: string[] }
  | { action: 'verify' }
  | { action: 'fail'; reason: string };

/**
 * What the orchestrator does while waiting for services: verify once every required service said
 * `done`; re-send the command to services silent for longer than `resendAfterMs` (commands are
 * idempotent on their side) or that reported a failure, until `maxAttempts` dispatches, then fail.
 */
export function decideDispatch(input: {
  required: readonly string[];
  reports: readonly ServiceReport[];
  dispatchedAt: Date;
  now: Date;
  attempts: number;
  resendAfterMs: number;
  maxAttempts: number;
}): DispatchDecision {
  const byService = new Map(input.reports.map((r) => [r.service, r]));
  const outstanding = input.required.filter((s) => byService.get(s)?.status !== 'done');
  if (outstanding.length === 0) return { action: 'verify' };
  const failed = outstanding.filter((s) => byService.get(s)?.status === 'failed');
  const silentTooLong = input.now.getTime() - input.dispatchedAt.getTime() >= input.resendAfterMs;
  if (failed.length === 0 && !silentTooLong) return { action: 'wait' };
  if (input.attempts >= input.maxAttempts) {
    return {
      action: 'fail',
      reason: `no successful erasure from ${outstanding.join(', ')} after ${input.attempts} attempts`,
    };
  }
  return { action: 'resend', services: failed.length > 0 && !silentTooLong ? failed : outstanding };
}

export interface ResidueReport {
  total: number;
  byService: Record<string, number>;
  /** Services whose report did not state a residue: unverifiable, treated as not clean. */
  unverified: string[];
}

/** Sums the residue every service reported plus the local scan; zero everywhere means erased. */
export function summarizeResidue(reports: readonly ServiceReport[], local: number): ResidueReport {
  const byService: Record<string, number> = { consent: local };
  const unverified: string[] = [];
  let total = local;
  for (const report of reports) {
    if (report.residue === null) {
      unverified.push(report.service);
      continue;
    }
    byService[report.service] = report.residue;
    total += report.residue;
  }
  return { total, byService, unverified };
}
