import fc from 'fast-check';
import { deriveAll, deriveConsent, stricterStatus } from './consent-derivation';
import type { LedgerEntry } from './consent-derivation';

const at = (iso: string) => new Date(iso);
let seq = 0;
function record(
  status: LedgerEntry['status'],
  effective: string,
  extra: Partial<LedgerEntry> = {},
): LedgerEntry {
  seq += 1;
  return {
    recordId: `r${String(seq).padStart(4, '0')}`,
    purpose: 'email_marketing',
    status,
    source: 'test',
    effectiveAt: at(effective),
    recordedAt: at(effective),
    ...extra,
  };
}

describe('deriveConsent', () => {
  const now = at('2026-06-01T00:00:00Z');

  it('deriveConsent should let the latest effective record win regardless of recording order', () => {
    const grant = record('granted', '2026-01-01T00:00:00Z');
    const withdraw = record('withdrawn', '2026-03-01T00:00:00Z', { recordedAt: at('2026-01-01T00:00:00Z') });
    expect(deriveConsent([withdraw, grant], now).status).toBe('withdrawn');
    const regrant = record('granted', '2026-04-01T00:00:00Z');
    expect(deriveConsent([withdraw, grant, regrant], now).status).toBe('granted');
  });

  it('deriveConsent should resolve records at the same instant to the stricter status', () => {
    const t = '2026-02-01T00:00:00Z';
    expect(deriveConsent([record('granted', t), record('denied', t)], now).status).toBe('denied');
    expect(
      deriveConsent([record('denied', t), record('withdrawn', t), record('granted', t)], now).status,
    ).toBe('withdrawn');
  });

  it('deriveConsent should treat an expired grant as unknown and never revive an older grant', () => {
    const old = record('granted', '2025-01-01T00:00:00Z');
    const expiring = record('granted', '2026-01-01T00:00:00Z', { expiresAt: at('2026-05-01T00:00:00Z') });
    const result = deriveConsent([old, expiring], now);
    expect(result.status).toBe('unknown');
    expect(result.record?.recordId).toBe(expiring.recordId);
  });

  it('deriveConsent should report the expiry of a live grant and scheduled records as the next transition', () => {
    const grant = record('granted', '2026-05-01T00:00:00Z', { expiresAt: at('2026-09-01T00:00:00Z') });
    const scheduled = record('withdrawn', '2026-07-01T00:00:00Z');
    const result = deriveConsent([grant, scheduled], now);
    expect(result.status).toBe('granted');
    expect(result.nextTransitionAt?.toISOString()).toBe('2026-07-01T00:00:00.000Z');
    expect(deriveConsent([grant, scheduled], at('2026-07-02T00:00:00Z')).status).toBe('withdrawn');
  });

  it('deriveConsent should be unknown without records and deriveAll should list configured purposes', () => {
    expect(deriveConsent([], now).status).toBe('unknown');
    const all = deriveAll(
      [record('granted', '2026-01-01T00:00:00Z')],
      ['email_marketing', 'sms_marketing'],
      now,
    );
    expect(all.email_marketing?.status).toBe('granted');
    expect(all.sms_marketing?.status).toBe('unknown');
  });

  it('deriveConsent should not depend on the order of records (property)', () => {
    const instants = ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-07-01T00:00:00Z'];
    const recordArb = fc
      .record({
        id: fc.integer({ min: 0, max: 1_000_000 }),
        status: fc.constantFrom<LedgerEntry['status']>('granted', 'denied', 'withdrawn'),
        instant: fc.constantFrom(...instants),
        expires: fc.option(fc.constantFrom('2026-03-01T00:00:00Z', '2026-12-01T00:00:00Z'), {
          nil: undefined,
        }),
      })
      .map((r): LedgerEntry => ({
        recordId: `r${r.id}`,
        purpose: 'email_marketing',
        status: r.status,
        source: 'test',
        effectiveAt: at(r.instant),
        recordedAt: at(r.instant),
        expiresAt: r.expires === undefined ? undefined : at(r.expires),
      }));
    fc.assert(
      fc.property(
        fc.uniqueArray(recordArb, { selector: (r) => r.recordId, maxLength: 12 }),
        fc.integer(),
        (records, seed) => {
          const shuffled = [...records].sort(
            (a, b) => (hash(a.recordId, seed) - hash(b.recordId, seed)) | 0 || 0,
          );
          const expected = deriveConsent(records, now);
          const actual = deriveConsent(shuffled, now);
          expect(actual.status).toBe(expected.status);
          expect(actual.record?.recordId).toBe(expected.record?.recordId);
          expect(actual.nextTransitionAt?.getTime()).toBe(expected.nextTransitionAt?.getTime());
        },
      ),
    );
  });
});

describe('stricterStatus', () => {
  it('stricterStatus should order withdrawn over denied over granted and let unknown yield', () => {
    expect(stricterStatus('granted', 'denied')).toBe('denied');
    expect(stricterStatus('withdrawn', 'denied')).toBe('withdrawn');
    expect(stricterStatus('unknown', 'granted')).toBe('granted');
    expect(stricterStatus('denied', 'unknown')).toBe('denied');
  });
});

function hash(text: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h;
}
