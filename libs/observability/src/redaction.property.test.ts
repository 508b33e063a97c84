import fc from 'fast-check';
import { REDACTED, SENSITIVE_KEYS, redactObject } from './redaction';

const MARKER = 'pii-marker-7f3a';
const serializeError = () => REDACTED;

/** An object tree (up to depth 6) where the marker sits under a sensitive key somewhere. */
const treeWithSecret = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !k.includes(MARKER)),
        fc.constant('[]'),
      ),
      {
        maxLength: 6,
      },
    ),
    fc.constantFrom(...SENSITIVE_KEYS),
    fc.boolean(),
  )
  .map(([path, key, upper]) => {
    let node: unknown = { [upper ? key.toUpperCase() : key]: MARKER };
    for (const segment of [...path].reverse()) node = segment === '[]' ? [node] : { [segment]: node };
    return node;
  });

describe('redactObject', () => {
  it('should remove a value under a sensitive key at any depth within the limit', () => {
    fc.assert(
      fc.property(treeWithSecret, (tree) => {
        expect(JSON.stringify(redactObject(tree, serializeError))).not.toContain(MARKER);
      }),
    );
  });

  it('should return objects without sensitive keys unchanged (same reference)', () => {
    const safeKey = fc
      .string({ minLength: 1, maxLength: 8 })
      .filter((k) => !SENSITIVE_KEYS.some((s) => s.toLowerCase() === k.toLowerCase()));
    const safeTree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', maxDepth: 5 },
        fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(safeKey, tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(safeTree, (tree) => {
        expect(redactObject(tree, serializeError)).toBe(tree);
      }),
    );
  });
});
