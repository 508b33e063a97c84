import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { RequiredEnv } from './required-env';
import { at, isObject, objectAt, stringAt, type Json, type JsonObject } from './yaml-values';

/**
 * Structural checks of docker-compose.yml and the Dockerfile (no Docker engine here): the
 * platform's services exist, dependencies point at real services with conditions they can meet,
 * build targets are Dockerfile stages, every service gets the configuration it needs.
 */

export const PLATFORM_SERVICES = ['ingest', 'identity', 'profile-store', 'consent'] as const;
const INFRA_SERVICES = ['kafka', 'postgres', 'redis', 'init'] as const;
const REQUIRED_SERVICE_ENV = ['KAFKA_BROKERS', 'DATABASE_URL', 'REDIS_URL', 'IDENTIFIER_HASH_KEY', 'PII_KEYRING', 'PORT'];
/** Variables only some services need, without defaults in their config schemas. */
const SERVICE_SPECIFIC_ENV: Record<string, string[]> = {
  consent: ['AUDIT_SIGNING_KEY', 'PROFILE_STORE_URL', 'IDENTITY_URL', 'PRIVACY_ADMIN_TOKEN'],
};
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);

/** `FROM image AS name` stage names of a Dockerfile. */
export function dockerfileStages(dockerfile: string): string[] {
  return [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+([A-Za-z0-9._-]+)\s*$/gim)].map((m) => m[1]!);
}

/** Compose `environment` as a map, whether written as a mapping or a `KEY=value` list. */
export function environmentOf(service: JsonObject): Record<string, string> {
  const env = service.environment;
  const out: Record<string, string> = {};
  if (Array.isArray(env)) {
    for (const item of env) {
      if (typeof item !== 'string') continue;
      const eq = item.indexOf('=');
      out[eq === -1 ? item : item.slice(0, eq)] = eq === -1 ? '' : item.slice(eq + 1);
    }
  } else if (isObject(env)) {
    for (const [k, v] of Object.entries(env)) out[k] = v === null ? '' : String(v);
  }
  return out;
}

function dependsOn(service: JsonObject): Array<{ name: string; condition: string }> {
  const deps = service.depends_on;
  if (Array.isArray(deps)) return deps.filter((d): d is string => typeof d === 'string').map((name) => ({ name, condition: 'service_started' }));
  if (isObject(deps)) {
    return Object.entries(deps).map(([name, spec]) => ({ name, condition: stringAt(spec, 'condition') ?? 'service_started' }));
  }
  return [];
}

export function checkCompose(compose: Json, dockerfile: string, requiredEnv: RequiredEnv = {}): string[] {
  const problems: string[] = [];
  const services = objectAt(compose, 'services');
  if (!services) return ['top-level services mapping is missing'];
  const stages = new Set(dockerfileStages(dockerfile));

  for (const name of [...INFRA_SERVICES, ...PLATFORM_SERVICES]) {
    if (!isObject(services[name])) problems.push(`service ${name} is missing`);
  }
  const declaredVolumes = new Set(Object.keys(objectAt(compose, 'volumes') ?? {}));

  for (const [name, raw] of Object.entries(services)) {
    if (!isObject(raw)) {
      problems.push(`service ${name} must be a mapping`);
      continue;
    }
    const service = raw;
    if (service.image === undefined && service.build === undefined) problems.push(`${name}: needs image or build`);
    const target = stringAt(service, 'build.target');
    if (target !== undefined && !stages.has(target)) problems.push(`${name}: build target ${target} is not a Dockerfile stage`);
    for (const dep of dependsOn(service)) {
      const other = services[dep.name];
      if (!isObject(other)) {
        problems.push(`${name}: depends on unknown service ${dep.name}`);
        continue;
      }
      if (!CONDITIONS.has(dep.condition)) problems.push(`${name}: unknown depends_on condition ${dep.condition}`);
      if (dep.condition === 'service_healthy' && at(other, 'healthcheck.test') === undefined) {
        problems.push(`${name}: waits for ${dep.name} to be healthy, but ${dep.name} has no healthcheck`);
      }
      if (dep.condition === 'service_completed_successfully' && other.restart !== undefined && other.restart !== 'no') {
        problems.push(`${name}: waits for ${dep.name} to complete, but ${dep.name} restarts (${String(other.restart)})`);
      }
    }
    for (const volume of Array.isArray(service.volumes) ? service.volumes : []) {
      if (typeof volume !== 'string') continue;
      const source = volume.split(':')[0]!;
      if (!source.startsWith('.') && !source.startsWith('/') && !declaredVolumes.has(source)) {
        problems.push(`${name}: volume ${source} is not declared under top-level volumes`);
      }
    }
  }

  const hostPorts = new Map<string, string>();
  for (const name of PLATFORM_SERVICES) {
    const service = services[name];
    if (!isObject(service)) continue;
    const env = environmentOf(service);
    // A variable may also be set by the command (a token read from a file written by init).
    const command = JSON.stringify([service.entrypoint ?? null, service.command ?? null]);
    const required = new Set([...REQUIRED_SERVICE_ENV, ...(SERVICE_SPECIFIC_ENV[name] ?? []), ...(requiredEnv[name] ?? [])]);
    for (const key of required) {
      if (!(key in env) && !command.includes(`${key}=`)) problems.push(`${name}: environment ${key} is missing`);
    }
    const test = JSON.stringify(at(service, 'healthcheck.test') ?? '');
    if (!test.includes('/readyz')) problems.push(`${name}: healthcheck must probe /readyz`);
    const deps = dependsOn(service);
    for (const infra of ['kafka', 'postgres', 'redis']) {
      if (!deps.some((d) => d.name === infra && d.condition === 'service_healthy')) {
        problems.push(`${name}: must depend on ${infra} being healthy`);
      }
    }
    if (!deps.some((d) => d.name === 'init' && d.condition === 'service_completed_successfully')) {
      problems.push(`${name}: must wait for init (migrations and topics) to complete`);
    }
    const ports = Array.isArray(service.ports) ? service.ports.map(String) : [];
    if (!ports.some((p) => p.endsWith(`:${env.PORT}`))) problems.push(`${name}: no port mapping to its PORT ${env.PORT}`);
    for (const p of ports) {
      const host = p.split(':').slice(0, -1).join(':');
      const owner = hostPorts.get(host);
      if (owner !== undefined) problems.push(`${name}: host port ${host} is already used by ${owner}`);
      hostPorts.set(host, name);
    }
  }

  const kafka = services.kafka;
  if (isObject(kafka)) {
    const env = environmentOf(kafka);
    if (!(env.KAFKA_PROCESS_ROLES ?? '').includes('controller')) problems.push('kafka: must run in KRaft mode (controller role)');
    if (env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR !== '1') {
      problems.push('kafka: single node needs KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1');
    }
    if (env.KAFKA_AUTO_CREATE_TOPICS_ENABLE !== 'false') problems.push('kafka: auto topic creation must be off');
  }
  const init = services.init;
  if (isObject(init)) {
    const command = JSON.stringify([init.entrypoint ?? null, init.command ?? null]);
    if (!command.includes('migrate') || !command.includes('topics create')) {
      problems.push('init: must run `tessera migrate` and `tessera topics create`');
    }
  }
  return problems;
}

/** Workspace directories from the root package.json (`libs/*` style globs and plain paths). */
export function workspaceDirs(root: string): string[] {
  const pkg: unknown = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const patterns = isObject(pkg) && Array.isArray(pkg.workspaces) ? pkg.workspaces.filter((w) => typeof w === 'string') : [];
  return patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return existsSync(path.join(root, pattern, 'package.json')) ? [pattern] : [];
    const parent = pattern.slice(0, -2);
    if (!existsSync(path.join(root, parent))) return [];
    return readdirSync(path.join(root, parent))
      .filter((name) => existsSync(path.join(root, parent, name, 'package.json')))
      .map((name) => `${parent}/${name}`);
  });
}

/** Every workspace's package.json must be copied before `npm ci`, or the lockfile will not match. */
export function checkDockerfileWorkspaces(dockerfile: string, workspaces: string[]): string[] {
  return workspaces
    .filter((w) => !new RegExp(`^COPY\\s+${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/package\\.json\\s`, 'm').test(dockerfile))
    .map((w) => `Dockerfile: ${w}/package.json is not copied into the manifests stage`);
}

export function checkComposeFile(composePath: string, dockerfilePath: string, requiredEnv: RequiredEnv = {}): string[] {
  const dockerfile = readFileSync(dockerfilePath, 'utf8');
  const compose: unknown = parse(readFileSync(composePath, 'utf8'), { merge: true });
  return [
    ...checkCompose(compose as Json, dockerfile, requiredEnv),
    ...checkDockerfileWorkspaces(dockerfile, workspaceDirs(path.dirname(dockerfilePath))),
  ];
}
