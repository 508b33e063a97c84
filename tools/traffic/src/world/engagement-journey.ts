import { buildCrm, buildSendGrid, buildSocial, type SendGridEventInput } from '../payloads/connectors';
import type { JourneyContext } from './journey-context';
import { addressOn, emailOn } from './population';
import { Campaigns } from './vocabulary';

/**
 * Marketing email through SendGrid: each send produces delivered, perhaps open and click, and for
 * some people an unsubscribe, after which nothing more is sent to them.
 */
export function espJourney(ctx: JourneyContext): void {
  const { person, rng } = ctx;
  const sends = rng.int(1, 5);
  const days = Array.from({ length: sends }, () => ctx.randomDay()).sort((a, b) => a - b);
  const unsubscribeAt = person.unsubscribes ? rng.int(0, sends - 1) : -1;
  for (let i = 0; i < days.length; i++) {
    const day = days[i]!;
    let t = ctx.time(day, rng.int(8, 11));
    const sgMessageId = `${rng.string(22, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}.filterdrecv-${rng.int(1, 99)}`;
    const campaign = rng.pick(Campaigns);
    const events: SendGridEventInput[] = [{ event: 'delivered', at: ctx.iso(t), sgEventId: rng.uuid() }];
    const bounced = rng.chance(0.02);
    if (bounced) {
      events[0] = { event: 'bounce', at: ctx.iso(t), sgEventId: rng.uuid() };
    } else if (rng.chance(0.5) || i === unsubscribeAt) {
      t += rng.int(60_000, 6 * 3_600_000);
      events.push({ event: 'open', at: ctx.iso(t), sgEventId: rng.uuid() });
      if (rng.chance(0.35)) {
        t += rng.int(5_000, 120_000);
        events.push({
          event: 'click',
          at: ctx.iso(t),
          sgEventId: rng.uuid(),
          url: `https://shop.tessera.example/collections/${campaign}`,
        });
      }
      if (i === unsubscribeAt) {
        t += rng.int(5_000, 60_000);
        events.push({ event: 'unsubscribe', at: ctx.iso(t), sgEventId: rng.uuid() });
      }
    }
    // the ESP sends to the address on file, exactly as stored
    ctx.emit(
      ctx.time(day, 8, 0),
      'sendgrid',
      events.map((e) => e.event).join('+'),
      sgMessageId,
      buildSendGrid({ email: ctx.exactEmail(emailOn(person, day)), sgMessageId, campaign, events }),
    );
    if (i === unsubscribeAt || bounced) return;
  }
}

/** Likes, comments and follows under a social id, and sometimes a lead-ad form that links it to an email. */
export function socialJourney(ctx: JourneyContext): void {
  const { person, rng } = ctx;
  const social = person.social;
  if (!social) return;
  const socialId = ctx.id(social.id);
  // networks treat handles case-insensitively and without the @
  const handle = {
    raw: social.handle,
    value: social.handle.replace(/^@+/, '').toLowerCase(),
    owner: 'person' as const,
  };
  for (let n = rng.int(1, 4); n > 0; n--) {
    const t = ctx.time(ctx.randomDay());
    const eventId = rng.uuid();
    ctx.emit(
      t,
      'social',
      'interaction',
      eventId,
      buildSocial({
        eventId,
        at: ctx.iso(t),
        network: social.network,
        socialId,
        handle,
        interaction: rng.pick(['like', 'comment', 'follow', 'share'] as const),
      }),
    );
  }
  if (rng.chance(0.5)) {
    const day = ctx.randomDay();
    const t = ctx.time(day);
    const eventId = rng.uuid();
    const email = person.givesJunk && rng.chance(0.4) ? ctx.junkEmail() : ctx.email(emailOn(person, day));
    const phone =
      person.mobile && rng.chance(0.5) ? ctx.phone(person.mobile, ['e164', 'international']) : undefined;
    ctx.emit(
      t,
      'social',
      'lead',
      eventId,
      buildSocial({
        eventId,
        at: ctx.iso(t),
        network: social.network,
        socialId,
        handle,
        lead: {
          formId: `form_${social.network}_spring`,
          email,
          ...(phone ? { phone } : {}),
          firstName: person.firstName,
          lastName: person.lastName,
        },
      }),
    );
  }
}

/** CRM contact upserts: created once, updated again when the email or address changes. */
export function crmJourney(ctx: JourneyContext): void {
  const { person, rng } = ctx;
  if (!person.crmContactId) return;
  const changeDays = [
    ...person.emails.slice(1).map((e) => e.sinceDay),
    ...person.addresses.slice(1).map((a) => a.sinceDay),
  ];
  const days = [
    ctx.randomDay(0, Math.floor(ctx.days / 3)),
    ...changeDays.map((d) => Math.min(ctx.days - 1, d + rng.int(0, 3))),
  ];
  for (const day of days) {
    const t = ctx.time(day, rng.int(9, 17));
    const phone =
      person.mobile && rng.chance(0.7) ? ctx.phone(person.mobile, ['e164', 'international']) : undefined;
    const eventId = rng.uuid();
    ctx.emit(
      t,
      'crm',
      'contact.upsert',
      eventId,
      buildCrm({
        eventId,
        contactId: ctx.id(person.crmContactId),
        at: ctx.iso(t),
        email: ctx.exactEmail(emailOn(person, day)),
        ...(phone ? { phone } : {}),
        firstName: person.firstName,
        lastName: person.lastName,
        address: addressOn(person, day),
        emailOptIn: !person.unsubscribes,
      }),
    );
  }
}
