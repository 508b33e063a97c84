import { Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsRegistryOptions {
  service: string;
  /** Process metrics (CPU, memory, event loop lag, GC). Default true; tests turn it off. */
  collectDefault?: boolean;
}

/** A prom-client registry with `service` as a default label on every metric. */
export function createMetricsRegistry(opts: MetricsRegistryOptions = { service: 'tessera' }): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: opts.service });
  if (opts.collectDefault ?? true) collectDefaultMetrics({ register: registry, prefix: 'tessera_' });
  return registry;
}
