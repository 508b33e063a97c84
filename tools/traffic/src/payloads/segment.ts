import { IdTypes, type Device } from '../world/model';
import { truthOf, type Built, type Ident } from './ident';

export const LIBRARY = { name: 'tessera-traffic', version: '0.1.0' } as const;

export interface SegmentBase {
  messageId: string;
  at: string;
  device: Device;
  anonymousId?: Ident;
  userId?: Ident;
}

export interface ExternalId {
  type: string;
  ident: Ident;
}

function context(base: SegmentBase, externalIds: ExternalId[] = []): Record<string, unknown> {
  const ctx: Record<string, unknown> = {
    library: LIBRARY,
    device: {
      type: base.device.kind,
      ...(base.device.surface === 'app' ? { id: base.device.anonymousId } : {}),
    },
    locale: 'en-US',
  };
  if (base.device.surface === 'app') ctx.app = { name: 'Tessera Outfitters', version: '4.2.0', build: '420' };
  if (externalIds.length > 0) {
    ctx.externalIds = externalIds.map((e) => ({
      id: e.ident.raw,
      type: e.type,
      collection: 'users',
      encoding: 'none',
    }));
  }
  return ctx;
}

function common(
  base: SegmentBase,
  type: string,
  externalIds: ExternalId[] = [],
): { body: Record<string, unknown>; identifiers: Built['identifiers'] } {
  const body: Record<string, unknown> = { type, messageId: base.messageId, timestamp: base.at };
  const identifiers: Built['identifiers'] = [];
  if (base.userId) {
    body.userId = base.userId.raw;
    identifiers.push(truthOf(IdTypes.userId, base.userId));
  }
  if (base.anonymousId) {
    body.anonymousId = base.anonymousId.raw;
    identifiers.push(truthOf(IdTypes.anonymousId, base.anonymousId));
  }
  body.context = context(base, externalIds);
  for (const e of externalIds) identifiers.push(truthOf(e.type, e.ident));
  return { body, identifiers };
}

export interface IdentifyInput extends SegmentBase {
  email?: Ident;
  phone?: Ident;
  traits: Record<string, unknown>;
  externalIds?: ExternalId[];
}

export function buildIdentify(input: IdentifyInput): Built {
  const { body, identifiers } = common(input, 'identify', input.externalIds);
  const traits: Record<string, unknown> = { ...input.traits };
  if (input.email) {
    traits.email = input.email.raw;
    identifiers.push(truthOf(IdTypes.email, input.email));
  }
  if (input.phone) {
    traits.phone = input.phone.raw;
    identifiers.push(truthOf(IdTypes.phone, input.phone));
  }
  body.traits = traits;
  return { body, identifiers, events: 1 };
}

export function buildTrack(
  input: SegmentBase & { event: string; properties: Record<string, unknown> },
): Built {
  const { body, identifiers } = common(input, 'track');
  body.event = input.event;
  body.properties = input.properties;
  return { body, identifiers, events: 1 };
}

/** `page` from browsers, `screen` from apps. */
export function buildView(input: SegmentBase & { name: string; path: string }): Built {
  const type = input.device.surface === 'app' ? 'screen' : 'page';
  const { body, identifiers } = common(input, type);
  body.name = input.name;
  body.properties =
    type === 'page'
      ? {
          path: input.path,
          url: `https://shop.tessera.example${input.path}`,
          title: `${input.name} | Tessera Outfitters`,
        }
      : { path: input.path };
  return { body, identifiers, events: 1 };
}

export function buildAlias(input: SegmentBase & { previousId: Ident; userId: Ident }): Built {
  const { body, identifiers } = common({ ...input, anonymousId: undefined }, 'alias');
  body.previousId = input.previousId.raw;
  identifiers.push(truthOf(IdTypes.anonymousId, input.previousId));
  return { body, identifiers, events: 1 };
}

export function buildGroup(input: SegmentBase & { groupId: string; traits: Record<string, unknown> }): Built {
  const { body, identifiers } = common(input, 'group');
  body.groupId = input.groupId;
  body.traits = input.traits;
  return { body, identifiers, events: 1 };
}
