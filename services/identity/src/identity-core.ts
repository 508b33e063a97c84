import type { Redis } from 'ioredis';
import type pg from 'pg';
import { createIdentifierHasher } from '@tessera/crypto';
import type { Logger } from '@tessera/observability';
import { createOutboxRelay } from '@tessera/outbox';
import type { OutboxRelay } from '@tessera/outbox';
import { createLinkJournal } from './features/durability/link-store';
import { rebuildGraph } from './features/durability/rebuild-service';
import { createEraseService } from './features/privacy/erase-service';
import { createQuarantineSplitter } from './features/quarantine/quarantine-splitter';
import type { QuarantineSplitter } from './features/quarantine/quarantine-splitter';
import type { EraseService } from './features/privacy/erase-service';
import type { Publisher } from './features/publisher';
import { noCandidateMatcher } from './features/resolution/candidate-matcher';
import type { CandidateMatcher } from './features/resolution/candidate-matcher';
import { createResolver } from './features/resolution/resolver';
import type { Resolver } from './features/resolution/resolver';
import { createUnmergeService } from './features/unmerge/unmerge-service';
import type { UnmergeService } from './features/unmerge/unmerge-service';
import { createGraphStore } from './graph/graph-store';
import type { GraphStore } from './graph/graph-store';
import { loadIdentityRules } from './rules/identity-rules';
import type { CompiledRules } from './rules/identity-rules';

export interface IdentityCoreSettings {
  IDENTIFIER_HASH_KEY: string;
  REDIS_KEY_PREFIX: string;
  IDENTITY_GRAPH_NAME: string;
  IDENTITY_BUCKETS: number;
  IDENTITY_RULES_FILE?: string | undefined;
}

export interface IdentityCore {
  rules: CompiledRules;
  graph: GraphStore;
  resolver: Resolver;
  unmerge: UnmergeService;
  quarantine: QuarantineSplitter;
  erase: EraseService;
  /**
   * Relays identity's outbox (splits and their audit events) to Kafka. Unmerge publishes right
   * after its commit; whoever runs the service starts this loop for what that misses.
   */
  outbox: OutboxRelay;
  rebuild(): ReturnType<typeof rebuildGraph>;
}

/** Wires the identity domain from clients the caller owns (main.ts, the CLI, tests). */
export function createIdentityCore(
  settings: IdentityCoreSettings,
  clients: {
    pool: pg.Pool;
    redis: Redis;
    publisher: Publisher;
    logger: Logger;
    matcher?: CandidateMatcher;
    clock?: () => number;
    rules?: CompiledRules;
    /** The relay loop's poll interval when the outbox is empty, and a hook for metrics. */
    outbox?: { idleMs?: number; onPublished?: (published: number) => void };
  },
): IdentityCore {
  const rules = clients.rules ?? loadIdentityRules(settings.IDENTITY_RULES_FILE);
  const graph = createGraphStore({
    redis: clients.redis,
    keyPrefix: settings.REDIS_KEY_PREFIX,
    graphName: settings.IDENTITY_GRAPH_NAME,
    buckets: settings.IDENTITY_BUCKETS,
  });
  const clock = clients.clock ?? Date.now;
  const common = { pool: clients.pool, graph, publisher: clients.publisher, logger: clients.logger, clock };
  const outbox = createOutboxRelay({
    pool: clients.pool,
    publisher: clients.publisher,
    logger: clients.logger,
    ...clients.outbox,
  });
  const unmerge = createUnmergeService({ ...common, outbox, rules });
  return {
    rules,
    graph,
    resolver: createResolver({
      graph,
      journal: createLinkJournal(clients.pool),
      rules,
      hasher: createIdentifierHasher(settings.IDENTIFIER_HASH_KEY),
      matcher: clients.matcher ?? noCandidateMatcher,
      clock,
    }),
    unmerge,
    quarantine: createQuarantineSplitter({ graph, unmerge, logger: clients.logger }),
    erase: createEraseService(common),
    outbox,
    rebuild: () =>
      rebuildGraph({
        db: clients.pool,
        redis: clients.redis,
        graph,
        rules,
        logger: clients.logger,
        now: clock,
      }),
  };
}
