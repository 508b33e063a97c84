import type { ErrorIssue, Identifier } from '@tessera/contracts';
import { IdentifierError } from './identifier-error';
import { normalizeIdentifier, type NormalizeOptions } from './normalize-identifier';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The parts of a Segment-spec message that carry identifiers. */
export interface IdentifierSource {
  type?: unknown;
  userId?: unknown;
  anonymousId?: unknown;
  previousId?: unknown;
  traits?: unknown;
  context?: unknown;
}

export interface ExtractedIdentifiers {
  /** Normalized, deduplicated by (type, value), in the order found. */
  identifiers: Identifier[];
  /** One per value that was present but invalid, with the path it came from. */
  issues: ErrorIssue[];
}

/**
 * Reads every identifier of a Segment-shaped message: `userId` → user_id, `anonymousId` and an
 * alias's `previousId` → anonymous_id, `traits.email/phone` (identify calls only: a group's traits
 * describe the company), `context.traits.email/phone` (every call), and each
 * `context.externalIds[]` entry `{ id, type }` → identifier of that type (Segment's convention,
 * e.g. `ecommerce_customer_id`, `loyalty_id`). Numbers are accepted as ids and read as strings.
 * Invalid values do not throw: they are reported as issues and left out, so the caller decides
 * whether the event is still attributable.
 */
export function extractIdentifiers(
  message: IdentifierSource,
  options: NormalizeOptions = {},
): ExtractedIdentifiers {
  const identifiers: Identifier[] = [];
  const issues: ErrorIssue[] = [];
  const seen = new Set<string>();

  const add = (type: string, raw: unknown, path: string) => {
    if (raw === undefined || raw === null || raw === '') return;
    if (typeof raw !== 'string' && typeof raw !== 'number') {
      issues.push({ path, message: `${type} must be a string` });
      return;
    }
    try {
      const identifier = normalizeIdentifier(type, String(raw), options);
      const key = `${identifier.type}\u0000${identifier.value}`;
      if (seen.has(key)) return;
      seen.add(key);
      identifiers.push(identifier);
    } catch (err) {
      if (!(err instanceof IdentifierError)) throw err;
      issues.push({ path, message: err.message });
    }
  };

  add('user_id', message.userId, 'userId');
  add('anonymous_id', message.anonymousId, 'anonymousId');
  if (message.type === 'alias') add('anonymous_id', message.previousId, 'previousId');
  if (message.type === 'identify' && isObj(message.traits)) {
    add('email', message.traits.email, 'traits.email');
    add('phone', message.traits.phone, 'traits.phone');
  }
  const context = isObj(message.context) ? message.context : undefined;
  if (context && isObj(context.traits)) {
    add('email', context.traits.email, 'context.traits.email');
    add('phone', context.traits.phone, 'context.traits.phone');
  }
  if (context && Array.isArray(context.externalIds)) {
    context.externalIds.forEach((entry: unknown, i: number) => {
      const path = `context.externalIds.${i}`;
      if (!isObj(entry) || typeof entry.type !== 'string') {
        issues.push({ path: `${path}.type`, message: 'external id needs a string type' });
        return;
      }
      add(entry.type, entry.id, `${path}.id`);
    });
  }
  return { identifiers, issues };
}
