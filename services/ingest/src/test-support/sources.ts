import type { SourceProfile } from '../features/sources/source-resolver';

/** A registered web source with a US default region and no event-type restriction, for unit tests. */
export const webSource: SourceProfile = {
  id: 'web-1',
  channel: 'web',
  defaultRegion: 'US',
  allowedEventTypes: undefined,
  rateLimitPerSecond: 100,
  registered: true,
};
