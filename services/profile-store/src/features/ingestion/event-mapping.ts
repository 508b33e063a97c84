import { WellKnownEvents, type JsonObject, type ResolvedEventV1 } from '@tessera/contracts';
import type { EventFact } from '../computed/computed-traits';
import { isEmptyValue } from '../traits/survivorship';

/** The timeline row of one event (identifier values and traits stripped: they live elsewhere). */
export interface EventRow {
  eventId: string;
  profileId: string;
  occurredAt: string;
  receivedAt: string;
  sourceId: string;
  messageId: string;
  channel: string;
  type: string;
  name: string | null;
  isOrder: boolean;
  revenue: number | null;
  currency: string | null;
  identifierHashes: string[];
  payload: JsonObject;
}

export interface IdentitySighting {
  profileId: string;
  type: string;
  hash: string;
  raw: string;
  seenAt: string;
  sourceId: string;
}

export interface TraitSighting {
  profileId: string;
  trait: string;
  value: unknown;
  source: string;
  channel: string;
  observedAt: string;
  eventId: string;
}

function numeric(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Order revenue by Segment's e-commerce spec: `revenue`, else `total`. */
export function orderOf(resolved: ResolvedEventV1): {
  isOrder: boolean;
  revenue: number | null;
  currency: string | null;
} {
  const e = resolved.event;
  const isOrder = e.type === 'track' && e.event === WellKnownEvents.orderCompleted;
  if (!isOrder) return { isOrder, revenue: null, currency: null };
  const revenue = numeric(e.properties.revenue) ?? numeric(e.properties.total) ?? null;
  const currency = typeof e.properties.currency === 'string' ? e.properties.currency.toUpperCase() : null;
  return { isOrder, revenue, currency };
}

/** Traits an event asserts: identify/group `traits`, plus `context.traits` on any call. */
export function traitsOf(resolved: ResolvedEventV1): JsonObject {
  const e = resolved.event;
  const contextTraits = e.context.traits;
  const fromContext =
    contextTraits && typeof contextTraits === 'object' && !Array.isArray(contextTraits)
      ? (contextTraits as JsonObject)
      : {};
  return { ...fromContext, ...(e.type === 'group' ? {} : e.traits) };
}

/**
 * Splits a resolved event into what each table stores. Runs once per ingested event, so it makes
 * one pass over identifiers and traits and builds each output object once (no chained
 * map/filter/flatMap copies, the traits object is assembled only once).
 */
export function mapResolvedEvent(resolved: ResolvedEventV1, profileId: string) {
  const e = resolved.event;
  const order = orderOf(resolved);
  const { traits: _traits, identifiers: _identifiers, context, ...rest } = e;
  const { traits: _ctxTraits, ip: _ip, ...safeContext } = context;
  const asserted = traitsOf(resolved);
  const traitNames = Object.keys(asserted);
  const hashes: string[] = [];
  const identities: IdentitySighting[] = [];
  resolved.identifierHashes.forEach((h, i) => {
    hashes.push(`${h.type}:${h.hash}`);
    const id = e.identifiers[i];
    if (id)
      identities.push({
        profileId,
        type: h.type,
        hash: h.hash,
        raw: id.raw ?? id.value,
        seenAt: e.timestamp,
        sourceId: e.sourceId,
      });
  });
  const row: EventRow = {
    eventId: e.eventId,
    profileId,
    occurredAt: e.timestamp,
    receivedAt: e.receivedAt,
    sourceId: e.sourceId,
    messageId: e.messageId,
    channel: e.channel,
    type: e.type,
    name: e.event ?? e.name ?? null,
    isOrder: order.isOrder,
    revenue: order.revenue,
    currency: order.currency,
    identifierHashes: hashes,
    payload: { ...rest, context: safeContext, traitNames },
  };
  const traits: TraitSighting[] = [];
  for (const trait of traitNames) {
    const value = asserted[trait];
    if (isEmptyValue(value)) continue;
    traits.push({
      profileId,
      trait,
      value,
      source: e.sourceId,
      channel: e.channel,
      observedAt: e.timestamp,
      eventId: e.eventId,
    });
  }
  const fact: EventFact = {
    occurredAt: e.timestamp,
    channel: e.channel,
    isOrder: order.isOrder,
    revenue: order.revenue ?? undefined,
    currency: order.currency ?? undefined,
  };
  return { row, identities, traits, fact };
}
