import { createReadiness } from './readiness';

describe('createReadiness', () => {
  it('should report each probe by name: true, void and resolved as ok; false, throws and timeouts as not', async () => {
    const readiness = createReadiness(
      {
        yes: () => true,
        done: async () => undefined,
        no: () => false,
        broken: async () => {
          throw new Error('connection refused');
        },
        hung: () => new Promise<void>(() => undefined),
      },
      { timeoutMs: 50 },
    );
    expect(await readiness()).toEqual({ yes: true, done: true, no: false, broken: false, hung: false });
  });
});
