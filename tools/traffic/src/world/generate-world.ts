import { posJourney, shopifyJourney } from './commerce-journey';
import { crmJourney, espJourney, socialJourney } from './engagement-journey';
import { JourneyContext, type Draft } from './journey-context';
import type { Household, Person, TruthRecord, World, WorldMessage } from './model';
import { populationStream } from './population';
import { Rng } from './rng';
import { webJourney } from './web-journey';

export interface GenerateOptions {
  seed: number;
  persons: number;
  /** Length of the simulated history. */
  days?: number;
  /** First day of the history (ISO); fixed by default so a seed alone determines the output. */
  startAt?: string;
  /** Lower-case letters/digits; see `PopulationOptions.namespace`. */
  namespace?: string;
  /**
   * Region of the POS source (its default region for phones without a country code): customers
   * from that region give their number in the local format at the till, others internationally.
   * Default 'US'; null when the POS source has no region (every till phone then has a country code).
   */
  tillRegion?: string | null;
}

export const DEFAULT_START_AT = '2026-09-01T00:00:00.000Z';

const journeys = [
  ['web', webJourney],
  ['shopify', shopifyJourney],
  ['pos', posJourney],
  ['esp', espJourney],
  ['social', socialJourney],
  ['crm', crmJourney],
] as const;

/** One household's share of the world: its members and their messages in time order (seq is per chunk). */
export interface WorldChunk {
  household: Household;
  persons: Person[];
  messages: WorldMessage[];
  truth: TruthRecord[];
}

/**
 * The world one household at a time, for worlds too large to hold in memory (benchmark scaling
 * runs). Messages are time-ordered within a chunk only; `generateWorld` orders them globally.
 */
export function* generateWorldChunks(opts: GenerateOptions): Generator<WorldChunk> {
  if (!Number.isInteger(opts.persons) || opts.persons < 1)
    throw new Error('persons must be a positive integer');
  const days = opts.days ?? 60;
  if (!Number.isInteger(days) || days < 1) throw new Error('days must be a positive integer');
  const startMs = Date.parse(opts.startAt ?? DEFAULT_START_AT);
  if (Number.isNaN(startMs)) throw new Error(`startAt is not an ISO date: ${opts.startAt}`);
  if (opts.namespace !== undefined && !/^[a-z0-9]{1,12}$/.test(opts.namespace))
    throw new Error('namespace must be 1-12 lower-case letters or digits');
  const tillRegion = opts.tillRegion === undefined ? 'US' : opts.tillRegion;
  if (tillRegion !== null && !/^[A-Z]{2}$/.test(tillRegion))
    throw new Error('tillRegion must be an ISO 3166-1 alpha-2 code or null');
  const root = new Rng(opts.seed);
  const population = root.fork('population');
  const journeyRoot = root.fork('journeys');
  for (const { household, members } of populationStream(population, {
    persons: opts.persons,
    days,
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
  })) {
    const drafts: Draft[] = [];
    for (const person of members) {
      const personRng = journeyRoot.fork(person.personId);
      for (const [name, journey] of journeys) {
        const ctx = new JourneyContext(personRng.fork(name), person, household, startMs, days, tillRegion);
        journey(ctx);
        drafts.push(...ctx.drafts);
      }
    }
    yield { household, persons: members, ...toMessages(drafts) };
  }
}

/**
 * A synthetic world: persons in households and every message their multi-channel history
 * produces, in time order, with the ground truth for each message. Pure and deterministic: the
 * same options give a byte-identical world.
 */
export function generateWorld(opts: GenerateOptions): World {
  const persons: Person[] = [];
  const households: Household[] = [];
  const drafts: Array<{ message: WorldMessage; truth: TruthRecord }> = [];
  for (const chunk of generateWorldChunks(opts)) {
    households.push(chunk.household);
    persons.push(...chunk.persons);
    chunk.messages.forEach((message, i) => drafts.push({ message, truth: chunk.truth[i]! }));
  }
  drafts.sort(
    (a, b) =>
      compareTime(a.message.at, b.message.at) ||
      compareText(a.truth.personId, b.truth.personId) ||
      a.message.seq - b.message.seq,
  );
  const messages: WorldMessage[] = [];
  const truth: TruthRecord[] = [];
  drafts.forEach((d, seq) => {
    messages.push({ ...d.message, seq });
    truth.push({ ...d.truth, seq });
  });
  return { seed: opts.seed, persons, households, messages, truth };
}

function toMessages(drafts: Draft[]): { messages: WorldMessage[]; truth: TruthRecord[] } {
  drafts.sort((a, b) => a.atMs - b.atMs || compareText(a.personId, b.personId));
  const messages: WorldMessage[] = [];
  const truth: TruthRecord[] = [];
  drafts.forEach((d, seq) => {
    const at = new Date(Math.floor(d.atMs)).toISOString();
    messages.push({ id: d.id, seq, route: d.route, kind: d.kind, at, body: d.built.body });
    truth.push({
      id: d.id,
      seq,
      route: d.route,
      personId: d.personId,
      kind: d.kind,
      at,
      events: d.built.events,
      identifiers: d.built.identifiers,
    });
  });
  return { messages, truth };
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const compareTime = (a: string, b: string): number => compareText(a, b);
