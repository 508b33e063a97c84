import type { ConsentStatus } from '@tessera/contracts';
import { stricterStatus } from './consent-derivation';
import type { DerivedStatus } from './consent-derivation';

export interface PlannedRecord {
  purpose: string;
  status: ConsentStatus;
}

/**
 * Records to append to the surviving profile when `absorbed` merges into it: per purpose the stricter
 * state wins; only purposes whose survivor state changes get a record (the rest already say it).
 */
export function planMergeRecords(
  survivor: Readonly<Record<string, DerivedStatus>>,
  absorbed: Readonly<Record<string, DerivedStatus>>,
): PlannedRecord[] {
  const purposes = [...new Set([...Object.keys(survivor), ...Object.keys(absorbed)])].sort();
  const planned: PlannedRecord[] = [];
  for (const purpose of purposes) {
    const current = survivor[purpose] ?? 'unknown';
    const merged = stricterStatus(current, absorbed[purpose] ?? 'unknown');
    if (merged !== current && merged !== 'unknown') planned.push({ purpose, status: merged });
  }
  return planned;
}

/**
 * Records that give a profile split off `original` the state the original had before the split:
 * every recorded (non-unknown) purpose is copied, so neither component gains or loses consent.
 */
export function planSplitRecords(original: Readonly<Record<string, DerivedStatus>>): PlannedRecord[] {
  return Object.entries(original)
    .filter((entry): entry is [string, ConsentStatus] => entry[1] !== 'unknown')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([purpose, status]) => ({ purpose, status }));
}
