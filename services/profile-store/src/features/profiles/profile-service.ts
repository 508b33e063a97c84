import { AppError, type HashedIdentifier, type JsonObject } from '@tessera/contracts';
import type { IdentifierHasher } from '@tessera/crypto';
import type { Queryable } from '@tessera/db';
import { isPiiTrait, maskValue } from '../traits/pii-traits';
import { auditEvent, type AuditSink } from './audit-sink';
import { coalescedRead } from './coalesced-reads';
import { encodeCursor } from './event-cursor';
import { profileNotFound as notFound } from './profile-errors';
import { exportSubject } from './subject-export';
import type { PiiVault } from './pii-vault';
import {
  readEvents,
  readIdentities,
  readObservations,
  readProfile,
  readProfileView,
  readProfileViewByIdentifier,
  readProfileViews,
  readProfileViewsByIdentifier,
  searchByTrait,
  type EventFilter,
  type ProfileView,
} from './profile-read-model';

/** Who is asking: the API key id and whether it may see personal data unmasked. */
export interface Reader {
  actor: string;
  piiRead: boolean;
  purpose?: string | undefined;
}

/** Normalizes an identifier exactly as ingest does (libs/identifiers); throws on invalid input. */
export type IdentifierNormalizer = (
  type: string,
  value: string,
) => { value: string; matchKey?: string | undefined };

export interface ProfileServiceDeps {
  db: Queryable;
  vault: PiiVault;
  audit: AuditSink;
  hasher: IdentifierHasher;
  normalize: IdentifierNormalizer;
  /** Profile reads arriving together share a statement (see coalesced-reads), this many at most. */
  readBatchMax?: number;
  /** Size of each profile-read statement, by how profiles were asked for (metrics). */
  onReadBatch?: (by: 'id' | 'identifier', size: number) => void;
}

/** Keys per coalesced profile read: bounds the statement and the wait of the last in line. */
const READ_BATCH_MAX = 64;

const isPiiIdentifier = (type: string) => type !== 'anonymous_id';

/**
 * The read side of the API. Personal values are opened for readers with `pii:read` (and every
 * such read is audited with the field names, never the values), masked for everyone else.
 */
export function createProfileService(deps: ProfileServiceDeps) {
  const maxBatch = deps.readBatchMax ?? READ_BATCH_MAX;
  const viewById = coalescedRead<string, ProfileView>({
    loadOne: (id) => readProfileView(deps.db, id),
    loadMany: (ids) => readProfileViews(deps.db, ids),
    maxBatch,
    onBatch: (size) => deps.onReadBatch?.('id', size),
  });
  const viewByIdentifier = coalescedRead<HashedIdentifier, ProfileView>({
    loadOne: (key) => readProfileViewByIdentifier(deps.db, key),
    loadMany: (keys) => readProfileViewsByIdentifier(deps.db, keys),
    maxBatch,
    onBatch: (size) => deps.onReadBatch?.('identifier', size),
  });

  async function present(reader: Reader, profile: ProfileView & { requestedId?: string }, endpoint: string) {
    const piiFields = Object.keys(profile.piiTraits);
    // The audit record goes out while the values are decrypted; the response waits for both, so
    // nothing personal is returned unless its read is on the audit topic (fails closed).
    const audited =
      reader.piiRead && piiFields.length > 0
        ? audit(
            reader,
            profile.id,
            endpoint,
            piiFields.map((f) => `traits.${f}`),
          )
        : undefined;
    const traits: JsonObject = { ...profile.traits };
    const opening = (async () => {
      for (const [trait, sealed] of Object.entries(profile.piiTraits)) {
        const value = await deps.vault.openTrait(trait, sealed);
        traits[trait] = reader.piiRead
          ? value
          : maskValue(value, trait === 'email' || trait === 'phone' ? trait : undefined);
      }
    })();
    await Promise.all([opening, audited]);
    return {
      id: profile.id,
      ...(profile.requestedId !== undefined && profile.requestedId !== profile.id
        ? { requestedId: profile.requestedId }
        : {}),
      version: profile.version,
      traits,
      piiMasked: !reader.piiRead && piiFields.length > 0,
      computed: profile.computed,
      consent: profile.consent,
      mergedFrom: profile.mergedFrom,
      createdAt: profile.createdAt,
      updatedAt: profile.updatedAt,
    };
  }

  async function audit(reader: Reader, profileId: string, endpoint: string, fields: string[]): Promise<void> {
    await deps.audit.record(
      auditEvent({
        action: 'pii.read',
        actor: reader.actor,
        purpose: reader.purpose,
        profileId,
        details: { endpoint, fields },
      }),
    );
  }

  async function mustRead(id: string) {
    const profile = await readProfile(deps.db, id);
    if (!profile) throw notFound(id);
    return profile;
  }

  return {
    exportSubject: (actor: string, id: string) => exportSubject(deps, actor, id),

    async get(reader: Reader, id: string) {
      const profile = await viewById(id);
      if (!profile) throw notFound(id);
      return present(reader, { ...profile, requestedId: id }, 'profile');
    },

    async lookup(reader: Reader, type: string, rawValue: string) {
      let normalized: { value: string; matchKey?: string | undefined };
      try {
        normalized = deps.normalize(type, rawValue);
      } catch (err) {
        throw new AppError('VALIDATION_FAILED', 'request failed validation', {
          statusCode: 400,
          details: [
            { path: 'query.value', message: err instanceof Error ? err.message : 'invalid identifier' },
          ],
        });
      }
      const hash = deps.hasher(type, normalized.matchKey ?? normalized.value);
      const owner = await viewByIdentifier({ type, hash });
      if (!owner)
        throw new AppError('PROFILE_NOT_FOUND', 'no profile has this identifier', { statusCode: 404 });
      return present(reader, owner, 'lookup');
    },

    async identities(reader: Reader, id: string) {
      const profile = await mustRead(id);
      const rows = await readIdentities(deps.db, profile.id);
      const out = [];
      const opened: string[] = [];
      for (const r of rows) {
        let value: string | null = null;
        if (r.rawSealed !== null) {
          const raw = await deps.vault.openIdentity(r.rawSealed);
          const pii = isPiiIdentifier(r.type);
          value = pii && !reader.piiRead ? String(maskValue(raw, r.type)) : raw;
          if (pii && reader.piiRead) opened.push(`identities.${r.type}`);
        }
        out.push({
          type: r.type,
          hash: r.hash,
          value,
          firstSeen: r.firstSeen,
          lastSeen: r.lastSeen,
          sources: r.sources,
        });
      }
      if (opened.length > 0) await audit(reader, profile.id, 'identities', [...new Set(opened)]);
      return { profileId: profile.id, identities: out, piiMasked: !reader.piiRead };
    },

    async events(id: string, filter: EventFilter) {
      const profile = await mustRead(id);
      const rows = await readEvents(deps.db, profile.id, { ...filter, limit: filter.limit + 1 });
      const page = rows.slice(0, filter.limit);
      const last = page[page.length - 1];
      const next = rows.length > filter.limit && last ? encodeCursor(last.occurredAt, last.eventId) : null;
      return { profileId: profile.id, events: page, nextCursor: next };
    },

    async traits(reader: Reader, id: string, history: boolean) {
      const profile = await mustRead(id);
      const golden: JsonObject = {};
      const opened = new Set<string>();
      const show = async (trait: string, value: unknown) => {
        if (!isPiiTrait(trait)) return value;
        if (reader.piiRead) opened.add(`traits.${trait}`);
        return reader.piiRead
          ? value
          : maskValue(value, trait === 'email' || trait === 'phone' ? trait : undefined);
      };
      for (const [trait, winner] of Object.entries(profile.traitWinners)) {
        const sealed = profile.piiTraits[trait];
        const value =
          sealed !== undefined ? await deps.vault.openTrait(trait, sealed) : profile.traits[trait];
        golden[trait] = { value: await show(trait, value), winner };
      }
      let observations: JsonObject | undefined;
      if (history) {
        observations = {};
        for (const o of await readObservations(deps.db, profile.id)) {
          const value = o.valueSealed !== null ? await deps.vault.openTrait(o.trait, o.valueSealed) : o.value;
          const list = (observations[o.trait] as unknown[] | undefined) ?? [];
          list.push({
            id: o.id,
            value: await show(o.trait, value),
            source: o.source,
            channel: o.channel,
            observedAt: o.observedAt,
            eventId: o.eventId,
          });
          observations[o.trait] = list;
        }
      }
      if (opened.size > 0) await audit(reader, profile.id, 'traits', [...opened].sort());
      return {
        profileId: profile.id,
        traits: golden,
        ...(observations ? { history: observations } : {}),
        piiMasked: !reader.piiRead,
      };
    },

    async search(reader: Reader, trait: string, value: string, limit: number, after?: string) {
      if (isPiiTrait(trait)) {
        throw new AppError('VALIDATION_FAILED', 'request failed validation', {
          statusCode: 400,
          details: [
            {
              path: 'query.trait',
              message: 'personal traits are stored encrypted and not searchable; use /v1/profiles/lookup',
            },
          ],
        });
      }
      const candidates: unknown[] = [value];
      if (value.trim() !== '' && Number.isFinite(Number(value))) candidates.push(Number(value));
      if (value === 'true' || value === 'false') candidates.push(value === 'true');
      const rows = await searchByTrait(deps.db, trait, candidates, limit + 1, after);
      const page = rows.slice(0, limit);
      const profiles = [];
      for (const p of page) profiles.push(await present(reader, p, 'search'));
      return { profiles, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
    },
  };
}

export type ProfileService = ReturnType<typeof createProfileService>;
