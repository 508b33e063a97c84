import { extractIdentifiers } from './extract-identifiers';

describe('extractIdentifiers', () => {
  it('extractIdentifiers should read ids, traits, context traits and external ids', () => {
    const out = extractIdentifiers(
      {
        type: 'identify',
        userId: 42,
        anonymousId: 'anon-1',
        traits: { email: 'Ana@Example.com', phone: '(415) 555-2671' },
        context: {
          traits: { email: 'ana@example.com' },
          externalIds: [{ id: 'L-9', type: 'loyalty_id', collection: 'users', encoding: 'none' }],
        },
      },
      { defaultRegion: 'US' },
    );
    expect(out.issues).toEqual([]);
    expect(out.identifiers).toEqual([
      { type: 'user_id', value: '42' },
      { type: 'anonymous_id', value: 'anon-1' },
      { type: 'email', value: 'ana@example.com', raw: 'Ana@Example.com' },
      { type: 'phone', value: '+14155552671', raw: '(415) 555-2671' },
      { type: 'loyalty_id', value: 'L-9' },
    ]);
  });

  it('extractIdentifiers should report invalid values with their paths and leave them out', () => {
    const out = extractIdentifiers(
      {
        type: 'identify',
        userId: { nested: true },
        traits: { email: 'not-an-email', phone: '0000000000' },
        context: { externalIds: [{ id: 'x' }, { id: 'y', type: 'Bad Type' }] },
      },
      { defaultRegion: 'US' },
    );
    expect(out.identifiers).toEqual([]);
    expect(out.issues.map((i) => i.path)).toEqual([
      'userId',
      'traits.email',
      'traits.phone',
      'context.externalIds.0.type',
      'context.externalIds.1.id',
    ]);
  });

  it('extractIdentifiers should read previousId only on alias and traits only on identify', () => {
    expect(
      extractIdentifiers({ type: 'alias', userId: 'u1', previousId: 'a1' }).identifiers.map((i) => i.type),
    ).toEqual(['user_id', 'anonymous_id']);
    expect(
      extractIdentifiers({ type: 'group', userId: 'u1', traits: { email: 'sales@acme.com' } }).identifiers,
    ).toEqual([{ type: 'user_id', value: 'u1' }]);
  });
});
