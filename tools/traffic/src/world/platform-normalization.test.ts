import { IdentifierError, normalizeIdentifier, type Region } from '@tessera/identifiers';
import { generateWorld } from './generate-world';

/**
 * The truth must say what the platform will store: every identifier a world sends, normalized by
 * the platform's own rules (libs/identifiers) in the sender's region, gives the truth's value, and
 * the junk phones are the ones the platform rejects.
 */
describe('generated identifiers under the platform normalization', () => {
  it('every generated identifier should normalize to the value its truth line states, read with its source region', () => {
    const world = generateWorld({ seed: 9, persons: 250 });
    // as ingest reads them: the POS source has the till region (US by default), the others none
    const regionOf = (route: string): Region | undefined => (route === 'pos' ? 'US' : undefined);
    const mismatches: string[] = [];
    let junkRejected = 0;
    for (const t of world.truth) {
      for (const id of t.identifiers) {
        try {
          const normalized = normalizeIdentifier(id.type, id.raw, { defaultRegion: regionOf(t.route) });
          // a junk phone may still be a real number somewhere (1234567890 in GB is Bedford): identity's blocklist must catch it
          if (id.owner === 'junk' && id.type === 'phone') continue;
          if (normalized.value !== id.value)
            mismatches.push(
              `${id.type} ${JSON.stringify(id.raw)}: platform ${normalized.value}, truth ${id.value}`,
            );
        } catch (err) {
          if (!(err instanceof IdentifierError)) throw err;
          if (id.owner === 'junk' && id.type === 'phone') junkRejected++;
          else mismatches.push(`${id.type} ${JSON.stringify(id.raw)} (${t.route}) rejected: ${err.message}`);
        }
      }
    }
    expect({ count: mismatches.length, first: mismatches.slice(0, 20) }).toEqual({ count: 0, first: [] });
    expect(junkRejected).toBeGreaterThan(0);
  });
});

describe('till region', () => {
  it('generateWorld should give till phones with a country code only when the POS source has no region', () => {
    const world = generateWorld({ seed: 9, persons: 150, tillRegion: null });
    const tillPhones = world.truth
      .filter((t) => t.route === 'pos')
      .flatMap((t) => t.identifiers.filter((i) => i.type === 'phone' && i.owner !== 'junk'));
    expect(tillPhones.length).toBeGreaterThan(10);
    expect(tillPhones.filter((p) => !p.raw.startsWith('+'))).toEqual([]);
  });
});
