import type { SurvivorshipRule } from './survivorship';

/**
 * The one place survivorship is configured. Each trait takes the rule listed here, anything
 * unlisted the default (most recent non-empty value). Source priority entries name a source id or
 * a channel: a CRM is the system of record for who someone is and where they live; point-of-sale
 * clerks type names under time pressure, so they rank last.
 */
export interface SurvivorshipConfig {
  defaultRule: SurvivorshipRule;
  traits: Record<string, SurvivorshipRule>;
}

const identityPriority: SurvivorshipRule = {
  kind: 'source_priority',
  priority: ['crm', 'ecommerce', 'app', 'web', 'pos'],
};

export const survivorshipConfig: SurvivorshipConfig = {
  defaultRule: { kind: 'most_recent' },
  traits: {
    firstName: identityPriority,
    lastName: identityPriority,
    name: identityPriority,
    address: identityPriority,
    birthday: identityPriority,
    gender: identityPriority,
    createdAt: { kind: 'first_seen' },
    preferredLanguage: { kind: 'most_frequent' },
    preferredStore: { kind: 'most_frequent' },
    loyaltyPoints: { kind: 'max' },
    logins: { kind: 'count' },
  },
};

export function ruleFor(config: SurvivorshipConfig, trait: string): SurvivorshipRule {
  return config.traits[trait] ?? config.defaultRule;
}
