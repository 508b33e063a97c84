import { buildPos, buildShopifyOrder } from '../payloads/connectors';
import type { Ident } from '../payloads/ident';
import type { JourneyContext } from './journey-context';
import { addressOn, emailOn } from './population';
import { tillTypo } from './noise';
import { Countries, Products, Stores, type Product } from './vocabulary';

function basket(ctx: JourneyContext): Array<{ product: Product; quantity: number }> {
  return Array.from({ length: ctx.rng.int(1, 3) }, () => ({
    product: ctx.rng.pick(Products),
    quantity: ctx.rng.int(1, 2),
  }));
}

function currencyOf(country: string): string {
  return Countries.find((c) => c.code === country)?.currency ?? 'USD';
}

/** Online orders through Shopify: account holders with their customer id, some guests with only an email. */
export function shopifyJourney(ctx: JourneyContext): void {
  const { person, rng } = ctx;
  const orders = person.shopifyCustomerId ? rng.int(1, 4) : rng.chance(0.25) ? 1 : 0;
  for (let i = 0; i < orders; i++) {
    const day = ctx.randomDay();
    const t = ctx.time(day);
    const orderId = rng.int(5_000_000_000, 5_999_999_999) * 1000 + rng.int(0, 999);
    const phone =
      person.mobile && rng.chance(0.4) ? ctx.phone(person.mobile, ['e164', 'international']) : undefined;
    ctx.emit(
      t,
      'shopify',
      'orders/create',
      String(orderId),
      buildShopifyOrder({
        orderId,
        orderNumber: rng.int(1001, 99999),
        at: ctx.iso(t),
        currency: currencyOf(person.country),
        email: ctx.email(emailOn(person, day)),
        ...(phone ? { phone } : {}),
        ...(person.shopifyCustomerId
          ? {
              customer: {
                id: ctx.id(person.shopifyCustomerId),
                firstName: person.firstName,
                lastName: person.lastName,
                acceptsMarketing: !person.unsubscribes,
              },
            }
          : {}),
        address: addressOn(person, day),
        firstName: person.firstName,
        lastName: person.lastName,
        items: basket(ctx),
        lineItemIdBase: rng.int(10_000_000, 99_999_999) * 100,
      }),
    );
  }
}

/**
 * Till transactions. A loyalty member's first visit enrols them (email and mobile taken at the
 * till); later visits carry the card and a payment token, sometimes a phone typed in the local
 * format, the household landline, or a junk number when the customer would rather not say.
 */
export function posJourney(ctx: JourneyContext): void {
  const { person, rng } = ctx;
  if (!person.loyaltyId && person.cardTokens.length === 0) return;
  const visits = rng.int(1, 5);
  const days = Array.from({ length: visits }, () => ctx.randomDay()).sort((a, b) => a - b);
  days.forEach((day, visit) => {
    const t = ctx.time(day, rng.int(9, 19));
    const enrolment = visit === 0 && person.loyaltyId !== undefined;
    let phone: Ident | undefined;
    let email: Ident | undefined;
    if (enrolment) {
      if (person.mobile)
        phone = ctx.phone(
          person.mobile,
          ctx.tillFormats(person.mobile, ['national', 'digits', 'international']),
        );
      email = person.givesJunk && rng.chance(0.5) ? ctx.junkEmail() : ctx.email(emailOn(person, day));
    } else {
      const choice = rng.weighted([
        ['none', 6],
        ['mobile', person.mobile ? 2 : 0],
        ['landline', ctx.household.landline ? 1 : 0],
        ['junk', person.givesJunk ? 3 : 0],
      ] as const);
      if (choice === 'mobile' && person.mobile)
        phone = ctx.phone(person.mobile, ctx.tillFormats(person.mobile, ['national', 'digits']));
      if (choice === 'landline' && ctx.household.landline)
        phone = ctx.landline(ctx.tillFormats(ctx.household.landline, ['national', 'digits']));
      if (choice === 'junk') phone = ctx.junkPhone();
    }
    const loyalty =
      person.loyaltyId && (enrolment || rng.chance(0.85)) ? ctx.id(person.loyaltyId) : undefined;
    const card =
      person.cardTokens.length > 0 && rng.chance(0.8) ? ctx.id(rng.pick(person.cardTokens)) : undefined;
    const named = enrolment || rng.chance(0.3);
    const transactionId = `T${rng.digits(12)}`;
    ctx.emit(
      t,
      'pos',
      'transaction',
      transactionId,
      buildPos({
        transactionId,
        at: ctx.iso(t),
        storeId: rng.pick(Stores),
        country: person.country,
        currency: currencyOf(person.country),
        items: basket(ctx),
        ...(loyalty ? { loyaltyId: loyalty } : {}),
        ...(card ? { cardToken: card } : {}),
        ...(phone ? { phone } : {}),
        ...(email ? { email } : {}),
        ...(named
          ? {
              firstName: rng.chance(0.3) ? tillTypo(rng, person.firstName) : person.firstName,
              lastName: rng.chance(0.3) ? tillTypo(rng, person.lastName) : person.lastName,
            }
          : {}),
      }),
    );
  });
}
