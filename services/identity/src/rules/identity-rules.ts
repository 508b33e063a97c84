import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * THE identity rules: one place that says how identifier types rank, how many of each a profile
 * may hold, which values are junk, and when a value is too shared to link people.
 * Deployments override or extend it with a JSON file (IDENTITY_RULES_FILE) validated by the same
 * schema; see docs/identity.md for the reasoning behind each default.
 */

const QuarantineSchema = z.object({
  /** Quarantine once the value was seen with more than this many distinct strong identifiers. */
  maxDistinct: z.number().int().min(1).max(1000),
  /** Which identifier types count towards the fan-in (the value's own type never counts itself). */
  over: z.array(z.string().min(1)).min(1),
});

const TypeRuleSchema = z.object({
  /** Higher links first; on a limit conflict the lower-priority identifier is the one refused. */
  priority: z.number().int().min(0).max(1000),
  /** Most identifiers of this type one profile may hold (merge protection). */
  limit: z.number().int().min(1).max(100_000),
  quarantine: QuarantineSchema.optional(),
  /** Exact normalized values that never link (case-insensitive). */
  blocklist: z.array(z.string()).default([]),
  /** Regular expressions (source, case-insensitive) of values that never link. */
  blocklistPatterns: z.array(z.string()).default([]),
});

export const IdentityRulesSchema = z.object({
  types: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), TypeRuleSchema),
  /** Rule for identifier types not listed (external ids such as `shopify_customer_id`). */
  defaultType: TypeRuleSchema,
  /** Values that never link whatever their type (placeholders sources send for "no value"). */
  globalBlocklist: z.array(z.string()).default([]),
  /** Probabilistic candidates below this score are ignored. */
  candidateMinScore: z.number().min(0).max(1).default(0.9),
});
export type IdentityRules = z.infer<typeof IdentityRulesSchema>;
export type TypeRule = z.infer<typeof TypeRuleSchema>;
export type IdentityRulesInput = z.input<typeof IdentityRulesSchema>;

/** The defaults Tessera ships. */
export const defaultIdentityRules: IdentityRulesInput = {
  types: {
    user_id: {
      priority: 100,
      limit: 1,
      blocklist: ['0', '-1', 'guest', 'anonymous', 'user', 'test', 'admin'],
    },
    email: {
      priority: 90,
      limit: 5,
      quarantine: { maxDistinct: 3, over: ['user_id'] },
      blocklist: [
        'test@test.com',
        'test@example.com',
        'email@email.com',
        'a@a.com',
        'no@email.com',
        'none@none.com',
        'noemail@noemail.com',
      ],
      blocklistPatterns: [
        '^(noreply|no-reply|donotreply|do-not-reply|nobody|mailer-daemon|postmaster)@',
        // What tills and call centres type when the customer gives no address.
        '^(noemail|no-email|none|na|n\\/a|unknown|declined)@',
        '@(example\\.(com|org|net)|test\\.com|localhost)$',
      ],
    },
    phone: {
      priority: 80,
      limit: 5,
      quarantine: { maxDistinct: 3, over: ['user_id', 'email'] },
      blocklist: [
        '0000000000',
        '1234567890',
        '9999999999',
        '1111111111',
        '+10000000000',
        '+11234567890',
        '+19999999999',
        '+11111111111',
      ],
      // Runs of one digit (000…, 111…) and the ascending sequence are what forms get filled with.
      blocklistPatterns: ['^\\+?(\\d)\\1{6,}$', '^\\+?\\d{0,3}0{7,}$', '^\\+?\\d{0,3}123456789\\d?$'],
    },
    anonymous_id: {
      priority: 10,
      limit: 100,
      quarantine: { maxDistinct: 5, over: ['user_id', 'email'] },
      blocklist: ['00000000-0000-0000-0000-000000000000'],
    },
  },
  defaultType: { priority: 50, limit: 10, quarantine: { maxDistinct: 5, over: ['user_id', 'email'] } },
  globalBlocklist: [
    'null',
    'undefined',
    'unknown',
    'n/a',
    'na',
    'none',
    'nil',
    '-',
    '[object object]',
    'nan',
    'test',
    'empty',
  ],
  candidateMinScore: 0.9,
};

/** Validated rules with compiled blocklists and lookups. */
export interface CompiledRules {
  readonly rules: IdentityRules;
  ruleFor(type: string): TypeRule;
  /** The rule name that blocks this value, or undefined when it may link. */
  blocklistedBy(type: string, value: string): string | undefined;
  /** Limits per type for the graph script (`*` is the default). */
  limits(): Record<string, number>;
  /** Whether a value of `type` seen beside one of `neighbourType` counts towards its quarantine fan-in. */
  countsTowardsFanIn(type: string, neighbourType: string): boolean;
}

export function compileRules(input: unknown): CompiledRules {
  const rules = IdentityRulesSchema.parse(input);
  const global = new Set(rules.globalBlocklist.map((v) => v.toLowerCase()));
  const perType = new Map<string, { values: Set<string>; patterns: RegExp[] }>();
  const compileType = (rule: TypeRule) => ({
    values: new Set(rule.blocklist.map((v) => v.toLowerCase())),
    patterns: rule.blocklistPatterns.map((p) => new RegExp(p, 'i')),
  });
  for (const [type, rule] of Object.entries(rules.types)) perType.set(type, compileType(rule));
  const fallback = compileType(rules.defaultType);
  const ruleFor = (type: string): TypeRule => rules.types[type] ?? rules.defaultType;
  return {
    rules,
    ruleFor,
    countsTowardsFanIn: (type, neighbourType) =>
      ruleFor(type).quarantine?.over.includes(neighbourType) ?? false,
    blocklistedBy(type, value) {
      const lower = value.trim().toLowerCase();
      if (lower.length === 0 || global.has(lower)) return 'blocklist:global';
      const compiled = perType.get(type) ?? fallback;
      if (compiled.values.has(lower)) return `blocklist:${type}`;
      if (compiled.patterns.some((p) => p.test(lower))) return `blocklist:${type}:pattern`;
      return undefined;
    },
    limits() {
      const out: Record<string, number> = { '*': rules.defaultType.limit };
      for (const [type, rule] of Object.entries(rules.types)) out[type] = rule.limit;
      return out;
    },
  };
}

/**
 * The shipped rules, optionally overridden by a JSON file: `types` entries replace or add types
 * (a listed type's blocklists extend the defaults), other keys replace the default.
 */
export function loadIdentityRules(file?: string): CompiledRules {
  if (file === undefined) return compileRules(defaultIdentityRules);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`identity rules file ${file} is not readable JSON`, { cause: err });
  }
  const override = IdentityRulesSchema.partial().safeParse(parsed);
  if (!override.success) {
    const issues = override.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new Error(`identity rules file ${file} is invalid: ${issues}`);
  }
  const base = IdentityRulesSchema.parse(defaultIdentityRules);
  const types = { ...base.types };
  for (const [type, rule] of Object.entries(override.data.types ?? {})) {
    const existing = base.types[type];
    types[type] = existing
      ? {
          ...rule,
          blocklist: [...existing.blocklist, ...rule.blocklist],
          blocklistPatterns: [...existing.blocklistPatterns, ...rule.blocklistPatterns],
        }
      : rule;
  }
  return compileRules({
    ...base,
    ...override.data,
    types,
    globalBlocklist: [...base.globalBlocklist, ...(override.data.globalBlocklist ?? [])],
  });
}
