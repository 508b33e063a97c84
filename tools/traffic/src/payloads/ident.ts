import type { IdentifierOwner, TruthIdentifier } from '../world/model';

/** An identifier value before it is placed into a payload: raw text plus what it truly is. */
export interface Ident {
  raw: string;
  value: string;
  owner: IdentifierOwner;
  sharedBy?: string[];
}

export function personIdent(raw: string, value: string = raw): Ident {
  return { raw, value, owner: 'person' };
}

export function truthOf(type: string, ident: Ident): TruthIdentifier {
  const t: TruthIdentifier = { type, raw: ident.raw, value: ident.value, owner: ident.owner };
  if (ident.sharedBy) t.sharedBy = ident.sharedBy;
  return t;
}

/** What every payload builder returns: the body to send and the identifiers it carries. */
export interface Built {
  body: unknown;
  identifiers: TruthIdentifier[];
  events: number;
}
