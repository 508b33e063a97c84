import type { ProfileUpdateV1 } from '@tessera/contracts';

/** What a downstream tool keeps per profile (here: in memory; an ESP would keep a contact). */
export interface MirroredProfile {
  profileId: string;
  version: number;
  traits: Record<string, unknown>;
  computed: Record<string, unknown>;
  consent: Record<string, string>;
}

/**
 * The change-feed contract, applied: the latest message per key is the truth; `version` only grows
 * per profile, so anything not newer than what we hold is a redelivery (the feed is at-least-once)
 * and is dropped; `merged` means "forget this id, its data now lives in `mergedInto`"; `deleted`
 * and the tombstone after it mean "erase everything you hold about this id".
 */
export class ProfileMirror {
  private readonly profiles = new Map<string, MirroredProfile>();
  /** Highest version seen per id, kept after deletion so a late redelivery cannot resurrect it. */
  private readonly seen = new Map<string, number>();

  apply(key: string, message: ProfileUpdateV1 | null): 'applied' | 'stale' | 'erased' {
    if (message === null) {
      this.profiles.delete(key);
      return 'erased';
    }
    if (message.version <= (this.seen.get(key) ?? -1)) return 'stale';
    this.seen.set(key, message.version);
    switch (message.kind) {
      case 'deleted':
      case 'merged':
        this.profiles.delete(key);
        return message.kind === 'deleted' ? 'erased' : 'applied';
      case 'upsert':
      case 'split':
        this.profiles.set(key, {
          profileId: key,
          version: message.version,
          traits: message.traits,
          computed: message.computed,
          consent: message.consent,
        });
        return 'applied';
    }
  }

  get(profileId: string): MirroredProfile | undefined {
    return this.profiles.get(profileId);
  }

  /** Who may receive marketing email: an explicit grant only (unknown is not consent). */
  emailAudience(): MirroredProfile[] {
    return [...this.profiles.values()].filter(
      (p) => p.consent.email_marketing === 'granted' && typeof p.traits.email === 'string',
    );
  }
}
