import fc from 'fast-check';
import { CanonicalEventV1Schema, SegmentBatchSchema, type JsonObject } from '@tessera/contracts';
import { webSource } from '../../test-support/sources';
import { canonicalize } from './canonicalize';

const source = webSource;

// Identifier-ish values, valid and not: canonicalize must never emit what the schema refuses.
const idValue = fc.oneof(
  fc.string({ minLength: 1, maxLength: 210 }),
  fc.integer(),
  fc.constantFrom('u-1', 'anon-7', ' spaced ', '0', 'Ünïcode'),
);
const email = fc.oneof(
  fc.emailAddress(),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('Ada.Lovelace+x@Gmail.com', 'not-an-email', `${'a'.repeat(600)}@example.com`),
);
const phone = fc.oneof(fc.constantFrom('+1 415 555 0100', '(415) 555-0101', '12', 'call me'), fc.string());
const timestamp = fc.oneof(
  fc
    .date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2040-01-01T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
  // The edges of what the Segment schema accepts (4-digit years, offsets).
  fc.constantFrom('0000-01-01T00:00:00+01:00', '9999-12-31T23:59:59-01:00', '0001-01-01T00:00:00Z'),
);
const json = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 });
const externalId = fc.record({
  id: idValue,
  type: fc.oneof(
    fc.constantFrom('ecommerce_customer_id', 'Loyalty ID', 'email', 'phone'),
    fc.string({ minLength: 1, maxLength: 64 }),
  ),
});
const context = fc.record(
  {
    traits: fc.record({ email, phone }, { requiredKeys: [] }),
    externalIds: fc.array(externalId, { maxLength: 4 }),
    gpc: fc.boolean(),
    ip: fc.constant('203.0.113.9'),
    page: json,
  },
  { requiredKeys: [] },
);
const message = fc.record(
  {
    type: fc.constantFrom('identify', 'track', 'page', 'screen', 'group', 'alias'),
    messageId: fc.string({ minLength: 1, maxLength: 200 }),
    userId: idValue,
    anonymousId: idValue,
    previousId: idValue,
    groupId: idValue,
    event: fc.string({ minLength: 1, maxLength: 200 }),
    name: fc.string({ maxLength: 200 }),
    category: fc.string({ maxLength: 200 }),
    traits: fc.record({ email, phone, plan: fc.string() }, { requiredKeys: [] }),
    properties: json,
    context,
    integrations: json,
    timestamp,
    originalTimestamp: timestamp,
    sentAt: timestamp,
    writeKey: fc.constant('tsk_in_body'),
    customField: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: ['type'] },
);
const batch = fc.record(
  {
    batch: fc.array(message, { minLength: 1, maxLength: 3 }),
    sentAt: timestamp,
    context,
    integrations: json,
  },
  { requiredKeys: ['batch'] },
);

describe('canonicalize', () => {
  it('canonicalize should only build events that CanonicalEventV1 accepts unchanged', () => {
    // The producer publishes canonical events without parsing them again (prevalidated), so this
    // is the check that stands in for it: for every schema-valid request, every event canonicalize
    // accepts must parse, and parse to itself (nothing the schema would strip or coerce).
    let accepted = 0;
    fc.assert(
      fc.property(
        batch,
        fc.boolean(),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        (input, gpcHeader, receivedAt) => {
          const parsed = SegmentBatchSchema.safeParse(input);
          if (!parsed.success) return;
          for (const m of parsed.data.batch) {
            const result = canonicalize(m, source, {
              receivedAt,
              gpcHeader,
              batchSentAt: parsed.data.sentAt,
              batchContext: parsed.data.context as JsonObject | undefined,
              batchIntegrations: parsed.data.integrations,
            });
            if (!result.ok) continue;
            accepted += 1;
            const check = CanonicalEventV1Schema.safeParse(result.event);
            if (!check.success) throw new Error(JSON.stringify(check.error.issues));
            expect(check.data).toEqual(result.event);
          }
        },
      ),
      { numRuns: 500 },
    );
    // The generator must reach the interesting path, or the property proves nothing.
    expect(accepted).toBeGreaterThan(200);
  });

  it('canonicalize should keep fields outside the spec under context.extra and drop writeKey', () => {
    const m = SegmentBatchSchema.parse({
      batch: [
        { type: 'track', event: 'E', userId: 'u1', writeKey: 'k', plan: 'pro', context: { writeKey: 'k' } },
      ],
    }).batch[0]!;
    const result = canonicalize(m, source, {
      receivedAt: new Date('2026-01-01T00:00:00Z'),
      gpcHeader: false,
    });
    expect(result.ok && result.event.context).toEqual({ extra: { plan: 'pro' } });
    expect(result.ok && result.event.timestamp).toBe('2026-01-01T00:00:00.000Z');
  });
});
