import { decideDispatch, nextStatus, summarizeResidue } from './dsr-state-machine';

describe('nextStatus', () => {
  it('nextStatus should walk the erasure flow to completed and stop at terminal states', () => {
    const seen = [];
    let s: ReturnType<typeof nextStatus> = 'received';
    while (s) {
      seen.push(s);
      s = nextStatus('erasure', s);
    }
    expect(seen).toEqual(['received', 'planned', 'dispatched', 'verifying', 'completed']);
    expect(nextStatus('access', 'received')).toBe('completed');
    expect(nextStatus('erasure', 'failed')).toBeUndefined();
  });
});

describe('decideDispatch', () => {
  const base = {
    required: ['identity', 'profile-store'],
    dispatchedAt: new Date('2026-01-01T00:00:00Z'),
    now: new Date('2026-01-01T00:01:00Z'),
    attempts: 1,
    resendAfterMs: 5 * 60_000,
    maxAttempts: 5,
  };

  it('decideDispatch should wait for silent services, then resend, then verify when all are done', () => {
    expect(
      decideDispatch({ ...base, reports: [{ service: 'identity', status: 'done', residue: 0 }] }),
    ).toEqual({
      action: 'wait',
    });
    expect(
      decideDispatch({
        ...base,
        now: new Date('2026-01-01T00:06:00Z'),
        reports: [{ service: 'identity', status: 'done', residue: 0 }],
      }),
    ).toEqual({ action: 'resend', services: ['profile-store'] });
    expect(
      decideDispatch({
        ...base,
        reports: [
          { service: 'identity', status: 'done', residue: 0 },
          { service: 'profile-store', status: 'done', residue: 0 },
        ],
      }),
    ).toEqual({ action: 'verify' });
  });

  it('decideDispatch should resend at once on a failure and fail after the attempt budget', () => {
    const reports = [{ service: 'identity', status: 'failed' as const, residue: 2 }];
    expect(decideDispatch({ ...base, reports })).toEqual({ action: 'resend', services: ['identity'] });
    expect(decideDispatch({ ...base, reports, attempts: 5 })).toMatchObject({ action: 'fail' });
  });
});

describe('summarizeResidue', () => {
  it('summarizeResidue should add local and reported residue and flag unreported services', () => {
    const r = summarizeResidue(
      [
        { service: 'identity', status: 'done', residue: 0 },
        { service: 'profile-store', status: 'done', residue: null },
      ],
      1,
    );
    expect(r).toEqual({ total: 1, byService: { consent: 1, identity: 0 }, unverified: ['profile-store'] });
  });
});
