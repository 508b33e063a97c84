import { AppError } from '@tessera/contracts';
import type { Queryable } from '@tessera/db';
import { currentProfileId, profileTree } from '../durability/profile-tree';

export interface ProfileHistory {
  profileId: string;
  /** Where the profile lives now (itself unless it was absorbed). */
  currentProfileId: string;
  /** Every profile merged into the current one, directly or transitively. */
  absorbedProfiles: string[];
  merges: Array<{
    changeId: string;
    survivorId: string;
    absorbedId: string;
    linkingIdentifier: { type: string; hash: string };
    rule: string;
    triggeringEvent: { eventId: string | null; messageId: string | null; sourceId: string | null };
    at: string;
  }>;
  splits: Array<{
    changeId: string;
    profileId: string;
    removedIdentifier: { type: string; hash: string };
    components: unknown;
    reason: string;
    actor: string;
    at: string;
  }>;
  /** Identifiers refused by a rule while resolving events of this profile (newest first). */
  decisions: Array<{
    eventId: string;
    messageId: string | null;
    sourceId: string | null;
    identifier: { type: string; hash: string };
    outcome: string;
    rule: string;
    detail: string;
    at: string;
  }>;
  quarantined: Array<{
    identifier: { type: string; hash: string };
    reason: string;
    actor: string;
    at: string;
  }>;
  /** True when `decisions` was cut at the limit. */
  decisionsTruncated: boolean;
}

/** Why a profile looks the way it does: its merges, splits, refusals and quarantined identifiers. */
export async function readProfileHistory(
  db: Queryable,
  profileId: string,
  opts: { decisionLimit: number },
): Promise<ProfileHistory> {
  const current = await currentProfileId(db, profileId);
  if (current === undefined)
    throw new AppError('PROFILE_NOT_FOUND', 'profile not found', { statusCode: 404 });
  const tree = await profileTree(db, current);
  const [merges, splits, decisions, quarantined] = await Promise.all([
    db.query<{
      change_id: string;
      survivor_id: string;
      absorbed_id: string;
      linking_type: string;
      linking_hash: string;
      rule: string;
      event_id: string | null;
      message_id: string | null;
      source_id: string | null;
      at: Date;
    }>(
      `SELECT change_id::text, survivor_id::text, absorbed_id::text, linking_type, linking_hash, rule, event_id::text, message_id, source_id, at
       FROM merges WHERE survivor_id = ANY($1::uuid[]) OR absorbed_id = ANY($1::uuid[]) ORDER BY at, change_id`,
      [tree],
    ),
    db.query<{
      change_id: string;
      profile_id: string;
      removed_type: string;
      removed_hash: string;
      components: unknown;
      reason: string;
      actor: string;
      at: Date;
    }>(
      `SELECT change_id::text, profile_id::text, removed_type, removed_hash, components, reason, actor, at FROM splits
       WHERE profile_id = ANY($1::uuid[])
          OR profile_id IN (SELECT split_from FROM profiles WHERE profile_id = ANY($1::uuid[]) AND split_from IS NOT NULL)
       ORDER BY at, change_id`,
      [tree],
    ),
    db.query<{
      event_id: string;
      message_id: string | null;
      source_id: string | null;
      identifier_type: string;
      identifier_hash: string;
      outcome: string;
      rule: string;
      detail: string;
      at: Date;
    }>(
      `SELECT event_id::text, message_id, source_id, identifier_type, identifier_hash, outcome, rule, detail, at FROM decisions
       WHERE profile_id = ANY($1::uuid[]) ORDER BY at DESC, event_id DESC LIMIT $2`,
      [tree, opts.decisionLimit + 1],
    ),
    db.query<{ identifier_type: string; identifier_hash: string; reason: string; actor: string; at: Date }>(
      `SELECT q.identifier_type, q.identifier_hash, q.reason, q.actor, q.at FROM quarantine q
       JOIN links l ON l.identifier_hash = q.identifier_hash WHERE l.profile_id = ANY($1::uuid[]) ORDER BY q.at`,
      [tree],
    ),
  ]);
  return {
    profileId,
    currentProfileId: current,
    absorbedProfiles: tree.filter((p) => p !== current).sort(),
    merges: merges.rows.map((r) => ({
      changeId: r.change_id,
      survivorId: r.survivor_id,
      absorbedId: r.absorbed_id,
      linkingIdentifier: { type: r.linking_type, hash: r.linking_hash },
      rule: r.rule,
      triggeringEvent: { eventId: r.event_id, messageId: r.message_id, sourceId: r.source_id },
      at: r.at.toISOString(),
    })),
    splits: splits.rows.map((r) => ({
      changeId: r.change_id,
      profileId: r.profile_id,
      removedIdentifier: { type: r.removed_type, hash: r.removed_hash },
      components: r.components,
      reason: r.reason,
      actor: r.actor,
      at: r.at.toISOString(),
    })),
    decisions: decisions.rows.slice(0, opts.decisionLimit).map((r) => ({
      eventId: r.event_id,
      messageId: r.message_id,
      sourceId: r.source_id,
      identifier: { type: r.identifier_type, hash: r.identifier_hash },
      outcome: r.outcome,
      rule: r.rule,
      detail: r.detail,
      at: r.at.toISOString(),
    })),
    decisionsTruncated: decisions.rows.length > opts.decisionLimit,
    quarantined: quarantined.rows.map((r) => ({
      identifier: { type: r.identifier_type, hash: r.identifier_hash },
      reason: r.reason,
      actor: r.actor,
      at: r.at.toISOString(),
    })),
  };
}
