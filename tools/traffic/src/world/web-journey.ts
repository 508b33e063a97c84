import type { Ident } from '../payloads/ident';
import {
  buildAlias,
  buildGroup,
  buildIdentify,
  buildTrack,
  buildView,
  type SegmentBase,
} from '../payloads/segment';
import type { JourneyContext } from './journey-context';
import { IdTypes, type Device } from './model';
import { emailOn } from './population';
import { Pages, Products, WorkDomains } from './vocabulary';

/**
 * Browsing on the person's own devices (anonymous first, identified after sign-up or login), a
 * newsletter form for people without an account, the family tablet, and an email change made in
 * account settings.
 */
export function webJourney(ctx: JourneyContext): void {
  const { person, rng } = ctx;
  const signupDay = person.userId ? ctx.randomDay(0, Math.floor(ctx.days / 2)) : Number.POSITIVE_INFINITY;
  person.devices.forEach((device, index) => {
    const anonymousId = ctx.id(device.anonymousId);
    const sessionDays = Array.from({ length: rng.int(1, 4) }, () => ctx.randomDay()).sort((a, b) => a - b);
    // the first device is where the account was created, on the sign-up day
    if (index === 0 && person.userId && !sessionDays.includes(signupDay)) sessionDays.push(signupDay);
    sessionDays.sort((a, b) => a - b);
    let loggedIn = false;
    for (const day of sessionDays) {
      let t = ctx.time(day);
      const loginNow =
        !loggedIn &&
        person.userId !== undefined &&
        day >= signupDay &&
        (index === 0 ? true : rng.chance(0.8));
      const base = (): SegmentBase => ({
        messageId: rng.uuid(),
        at: ctx.iso(t),
        device,
        anonymousId,
        ...(loggedIn && person.userId ? { userId: ctx.id(person.userId) } : {}),
      });
      t = browse(ctx, device, base, t, rng.int(1, 4));
      if (loginNow && person.userId) {
        loggedIn = true;
        t += rng.int(20_000, 120_000);
        identifyAccount(
          ctx,
          device,
          anonymousId,
          ctx.id(person.userId),
          day,
          t,
          index === 0 && day === signupDay,
        );
        if (device.surface === 'app' && rng.chance(0.3)) {
          t += 1000;
          const b = base();
          ctx.emit(
            t,
            device.surface,
            'alias',
            b.messageId,
            buildAlias({ ...b, previousId: anonymousId, userId: ctx.id(person.userId) }),
          );
        }
        t = browse(ctx, device, base, t, rng.int(0, 3));
      } else if (!person.userId && index === 0 && day === sessionDays[0] && rng.chance(0.5)) {
        t += rng.int(10_000, 60_000);
        const email = person.givesJunk && rng.chance(0.5) ? ctx.junkEmail() : ctx.email(emailOn(person, day));
        const messageId = rng.uuid();
        ctx.emit(
          t,
          device.surface,
          'identify',
          messageId,
          buildIdentify({
            messageId,
            at: ctx.iso(t),
            device,
            anonymousId,
            email,
            traits: { newsletter: true },
          }),
        );
      }
    }
  });
  sharedDeviceSessions(ctx, signupDay);
  if (person.userId && person.emails.length > 1) emailChange(ctx, person.userId);
}

/** A few page/screen views with the odd product view in between; returns the time after the last. */
function browse(
  ctx: JourneyContext,
  device: Device,
  base: () => SegmentBase,
  start: number,
  views: number,
): number {
  let t = start;
  for (let i = 0; i < views; i++) {
    t += ctx.rng.int(5_000, 90_000);
    const page = ctx.rng.pick(Pages);
    const b = base();
    ctx.emit(
      t,
      device.surface,
      device.surface === 'app' ? 'screen' : 'page',
      b.messageId,
      buildView({ ...b, at: ctx.iso(t), name: page.name, path: page.path }),
    );
    if (page.path.startsWith('/products') || ctx.rng.chance(0.2)) {
      t += ctx.rng.int(2_000, 30_000);
      const product = ctx.rng.pick(Products);
      const e = base();
      const event = ctx.rng.chance(0.3) ? 'Product Added' : 'Product Viewed';
      ctx.emit(
        t,
        device.surface,
        'track',
        e.messageId,
        buildTrack({
          ...e,
          at: ctx.iso(t),
          event,
          properties: {
            product_id: product.sku,
            sku: product.sku,
            name: product.name,
            price: product.price,
            category: product.category,
          },
        }),
      );
    }
  }
  return t;
}

function identifyAccount(
  ctx: JourneyContext,
  device: Device,
  anonymousId: Ident,
  userId: Ident,
  day: number,
  t: number,
  signup: boolean,
): void {
  const { person, rng } = ctx;
  const messageId = rng.uuid();
  const email = ctx.email(emailOn(person, day));
  const phone =
    person.mobile && rng.chance(0.35) ? ctx.phone(person.mobile, ['e164', 'international']) : undefined;
  const externalIds =
    person.loyaltyId && rng.chance(0.3) ? [{ type: IdTypes.loyaltyId, ident: ctx.id(person.loyaltyId) }] : [];
  const traits: Record<string, unknown> = { firstName: person.firstName, lastName: person.lastName };
  if (signup) traits.createdAt = ctx.iso(t);
  ctx.emit(
    t,
    device.surface,
    'identify',
    messageId,
    buildIdentify({
      messageId,
      at: ctx.iso(t),
      device,
      anonymousId,
      userId,
      email,
      ...(phone ? { phone } : {}),
      traits,
      externalIds,
    }),
  );
  if (signup) {
    const trackId = rng.uuid();
    ctx.emit(
      t + 500,
      device.surface,
      'track',
      trackId,
      buildTrack({
        messageId: trackId,
        at: ctx.iso(t + 500),
        device,
        anonymousId,
        userId,
        event: 'Signed Up',
        properties: { method: 'email' },
      }),
    );
    const domain = emailOn(person, day).split('@')[1] ?? '';
    if ((WorkDomains as readonly string[]).includes(domain)) {
      const groupId = rng.uuid();
      ctx.emit(
        t + 1000,
        device.surface,
        'group',
        groupId,
        buildGroup({
          messageId: groupId,
          at: ctx.iso(t + 1000),
          device,
          anonymousId,
          userId,
          groupId: domain,
          traits: { name: domain.split('.')[0], plan: 'team' },
        }),
      );
    }
  }
}

/** The household tablet: several members browse on it, and some log in to their own accounts there. */
function sharedDeviceSessions(ctx: JourneyContext, signupDay: number): void {
  const { person, household, rng } = ctx;
  const device = household.sharedDevice;
  if (!device || !rng.chance(0.6)) return;
  const anonymousId: Ident = {
    raw: device.anonymousId,
    value: device.anonymousId,
    owner: 'shared',
    sharedBy: [...household.memberIds],
  };
  for (let s = rng.int(1, 2); s > 0; s--) {
    const day = ctx.randomDay();
    const loggedIn = person.userId !== undefined && day >= signupDay && rng.chance(0.5);
    let t = ctx.time(day);
    if (loggedIn && person.userId) {
      const messageId = rng.uuid();
      ctx.emit(
        t,
        'web',
        'identify',
        messageId,
        buildIdentify({
          messageId,
          at: ctx.iso(t),
          device,
          anonymousId,
          userId: ctx.id(person.userId),
          traits: { firstName: person.firstName, lastName: person.lastName },
        }),
      );
    }
    const userId = loggedIn && person.userId ? ctx.id(person.userId) : undefined;
    t = browse(
      ctx,
      device,
      () => ({ messageId: rng.uuid(), at: ctx.iso(t), device, anonymousId, ...(userId ? { userId } : {}) }),
      t,
      rng.int(1, 3),
    );
  }
}

/** The person updates their email in account settings: the one moment old and new are seen together. */
function emailChange(ctx: JourneyContext, userId: string): void {
  const { person, rng } = ctx;
  const change = person.emails[person.emails.length - 1]!;
  const device = person.devices[0]!;
  const t = ctx.time(change.sinceDay);
  const messageId = rng.uuid();
  ctx.emit(
    t,
    device.surface,
    'identify',
    messageId,
    buildIdentify({
      messageId,
      at: ctx.iso(t),
      device,
      anonymousId: ctx.id(device.anonymousId),
      userId: ctx.id(userId),
      email: ctx.email(change.address),
      traits: { firstName: person.firstName, lastName: person.lastName },
    }),
  );
  const trackId = rng.uuid();
  ctx.emit(
    t + 200,
    device.surface,
    'track',
    trackId,
    buildTrack({
      messageId: trackId,
      at: ctx.iso(t + 200),
      device,
      anonymousId: ctx.id(device.anonymousId),
      userId: ctx.id(userId),
      event: 'Email Changed',
      properties: {},
    }),
  );
}
