import type { Manifest } from './kustomize';
import type { RequiredEnv } from './required-env';
import { arrayAt, at, isObject, objectAt, stringAt, stringMap, type Json, type JsonObject } from './yaml-values';

/**
 * Checks rendered manifests for what the API server would reject and for the platform's own
 * rules (probes, resources, non-root, references between objects). Returns readable problems;
 * an empty list means the set is consistent.
 */

const API_VERSIONS: Record<string, string> = {
  Namespace: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Service: 'v1',
  ServiceAccount: 'v1',
  Deployment: 'apps/v1',
  Job: 'batch/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PodDisruptionBudget: 'policy/v1',
};

const DNS_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function describe(m: Manifest): string {
  return `${String(m.doc.kind)}/${stringAt(m.doc, 'metadata.name') ?? '?'}`;
}

function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

interface Context {
  problems: string[];
  requiredEnv: RequiredEnv;
  manifests: Manifest[];
  byKind: (kind: string) => Manifest[];
  exists: (kind: string, name: string, namespace: string | undefined) => boolean;
}

/** Names a container's environment will have: explicit env plus the keys of envFrom sources. */
function providedEnv(c: JsonObject, namespace: string | undefined, ctx: Context): Set<string> {
  const names = new Set(
    arrayAt(c, 'env')
      .filter(isObject)
      .map((e) => e.name)
      .filter((n): n is string => typeof n === 'string'),
  );
  for (const from of arrayAt(c, 'envFrom').filter(isObject)) {
    const prefix = typeof from.prefix === 'string' ? from.prefix : '';
    for (const [field, kind] of [
      ['configMapRef', 'ConfigMap'],
      ['secretRef', 'Secret'],
    ] as const) {
      const ref = stringAt(from, `${field}.name`);
      const source = ctx.manifests.find(
        (m) => m.doc.kind === kind && stringAt(m.doc, 'metadata.name') === ref && stringAt(m.doc, 'metadata.namespace') === namespace,
      );
      for (const dataField of ['data', 'stringData']) {
        for (const key of Object.keys(objectAt(source?.doc, dataField) ?? {})) names.add(`${prefix}${key}`);
      }
    }
  }
  return names;
}

function checkContainer(c: JsonObject, where: string, probes: boolean, ctx: Context, namespace: string | undefined) {
  const name = typeof c.name === 'string' ? c.name : '?';
  const at_ = `${where} container ${name}`;
  if (typeof c.name !== 'string' || !DNS_1123.test(c.name)) ctx.problems.push(`${where}: container without a valid name`);
  if (typeof c.image !== 'string' || c.image.length === 0) ctx.problems.push(`${at_}: no image`);
  const requests = objectAt(c, 'resources.requests');
  const limits = objectAt(c, 'resources.limits');
  if (!requests || requests.cpu === undefined || requests.memory === undefined) {
    ctx.problems.push(`${at_}: resources.requests.cpu and .memory are required`);
  }
  if (!limits || limits.memory === undefined) ctx.problems.push(`${at_}: resources.limits.memory is required`);
  const sc = objectAt(c, 'securityContext');
  if (!sc || sc.allowPrivilegeEscalation !== false) {
    ctx.problems.push(`${at_}: securityContext.allowPrivilegeEscalation must be false`);
  }
  if (!sc || sc.readOnlyRootFilesystem !== true) {
    ctx.problems.push(`${at_}: securityContext.readOnlyRootFilesystem must be true`);
  }
  const ports = arrayAt(c, 'ports').filter(isObject);
  const portNames = new Set(ports.map((p) => p.name).filter((n): n is string => typeof n === 'string'));
  const portNumbers = new Set(ports.map((p) => p.containerPort).filter((n): n is number => typeof n === 'number'));
  if (probes) {
    for (const [probe, pathExpected] of [
      ['livenessProbe', '/healthz'],
      ['readinessProbe', '/readyz'],
    ] as const) {
      const httpGet = objectAt(c, `${probe}.httpGet`);
      if (!httpGet) {
        ctx.problems.push(`${at_}: ${probe}.httpGet is required`);
        continue;
      }
      if (httpGet.path !== pathExpected) ctx.problems.push(`${at_}: ${probe} must GET ${pathExpected}`);
      const port = httpGet.port;
      const known = typeof port === 'string' ? portNames.has(port) : typeof port === 'number' && portNumbers.has(port);
      if (!known) ctx.problems.push(`${at_}: ${probe} port ${String(port)} is not a declared container port`);
    }
  }
  for (const from of arrayAt(c, 'envFrom').filter(isObject)) {
    for (const [field, kind] of [
      ['configMapRef', 'ConfigMap'],
      ['secretRef', 'Secret'],
    ] as const) {
      const ref = stringAt(from, `${field}.name`);
      if (ref !== undefined && at(from, `${field}.optional`) !== true && !ctx.exists(kind, ref, namespace)) {
        ctx.problems.push(`${at_}: envFrom ${field} ${ref} does not exist`);
      }
    }
  }
  const required = ctx.requiredEnv[name];
  if (required !== undefined) {
    const provided = providedEnv(c, namespace, ctx);
    for (const variable of required) {
      if (!provided.has(variable)) ctx.problems.push(`${at_}: required variable ${variable} is not provided`);
    }
  }
  for (const env of arrayAt(c, 'env').filter(isObject)) {
    for (const [field, kind] of [
      ['configMapKeyRef', 'ConfigMap'],
      ['secretKeyRef', 'Secret'],
    ] as const) {
      const ref = stringAt(env, `valueFrom.${field}.name`);
      if (ref !== undefined && !ctx.exists(kind, ref, namespace)) {
        ctx.problems.push(`${at_}: env ${String(env.name)} refers to missing ${kind} ${ref}`);
      }
    }
  }
}

function checkPodSpec(m: Manifest, podSpec: JsonObject | undefined, probes: boolean, ctx: Context) {
  const where = describe(m);
  const namespace = stringAt(m.doc, 'metadata.namespace');
  if (!podSpec) {
    ctx.problems.push(`${where}: spec.template.spec is required`);
    return;
  }
  if (at(podSpec, 'securityContext.runAsNonRoot') !== true) {
    ctx.problems.push(`${where}: spec.template.spec.securityContext.runAsNonRoot must be true`);
  }
  const containers = arrayAt(podSpec, 'containers').filter(isObject);
  if (containers.length === 0) ctx.problems.push(`${where}: at least one container is required`);
  for (const c of containers) checkContainer(c, where, probes, ctx, namespace);
}

function checkDeployment(m: Manifest, ctx: Context) {
  const where = describe(m);
  const selector = stringMap(at(m.doc, 'spec.selector.matchLabels'));
  const labels = stringMap(at(m.doc, 'spec.template.metadata.labels'));
  if (!labelsMatch(selector, labels)) {
    ctx.problems.push(`${where}: spec.selector.matchLabels must be non-empty and match the pod template labels`);
  }
  const grace = at(m.doc, 'spec.template.spec.terminationGracePeriodSeconds');
  if (typeof grace !== 'number' || grace < 30) {
    ctx.problems.push(`${where}: terminationGracePeriodSeconds must be >= 30 (services drain for up to 25 s)`);
  }
  checkPodSpec(m, objectAt(m.doc, 'spec.template.spec'), true, ctx);
}

function checkJob(m: Manifest, ctx: Context) {
  const policy = at(m.doc, 'spec.template.spec.restartPolicy');
  if (policy !== 'Never' && policy !== 'OnFailure') {
    ctx.problems.push(`${describe(m)}: spec.template.spec.restartPolicy must be Never or OnFailure`);
  }
  checkPodSpec(m, objectAt(m.doc, 'spec.template.spec'), false, ctx);
}

function deploymentsSelectedBy(selector: Record<string, string>, namespace: string | undefined, ctx: Context) {
  return ctx
    .byKind('Deployment')
    .filter(
      (d) =>
        stringAt(d.doc, 'metadata.namespace') === namespace &&
        labelsMatch(selector, stringMap(at(d.doc, 'spec.template.metadata.labels'))),
    );
}

function checkService(m: Manifest, ctx: Context) {
  const where = describe(m);
  const selector = stringMap(at(m.doc, 'spec.selector'));
  const targets = deploymentsSelectedBy(selector, stringAt(m.doc, 'metadata.namespace'), ctx);
  if (targets.length === 0) {
    ctx.problems.push(`${where}: selector ${JSON.stringify(selector)} matches no Deployment's pod labels`);
    return;
  }
  const ports = arrayAt(m.doc, 'spec.ports').filter(isObject);
  if (ports.length === 0) ctx.problems.push(`${where}: spec.ports is required`);
  for (const port of ports) {
    const target: Json | undefined = port.targetPort ?? port.port;
    for (const d of targets) {
      const declared = arrayAt(d.doc, 'spec.template.spec.containers')
        .filter(isObject)
        .flatMap((c) => arrayAt(c, 'ports').filter(isObject));
      const ok = declared.some((p) => (typeof target === 'string' ? p.name === target : p.containerPort === target));
      if (!ok) ctx.problems.push(`${where}: targetPort ${String(target)} is not a port of ${describe(d)}`);
    }
  }
}

function checkHpa(m: Manifest, ctx: Context) {
  const where = describe(m);
  const kind = stringAt(m.doc, 'spec.scaleTargetRef.kind');
  const name = stringAt(m.doc, 'spec.scaleTargetRef.name');
  const namespace = stringAt(m.doc, 'metadata.namespace');
  if (kind !== 'Deployment' || name === undefined || !ctx.exists('Deployment', name, namespace)) {
    ctx.problems.push(`${where}: scaleTargetRef must name an existing Deployment (got ${kind}/${name})`);
  }
  const min = at(m.doc, 'spec.minReplicas');
  const max = at(m.doc, 'spec.maxReplicas');
  if (typeof max !== 'number' || (typeof min === 'number' && min > max) || (typeof min === 'number' && min < 1)) {
    ctx.problems.push(`${where}: need 1 <= minReplicas <= maxReplicas`);
  }
  const cpu = arrayAt(m.doc, 'spec.metrics')
    .filter(isObject)
    .some((metric) => metric.type === 'Resource' && stringAt(metric, 'resource.name') === 'cpu');
  if (!cpu) ctx.problems.push(`${where}: a Resource cpu metric is required`);
}

function checkPdb(m: Manifest, ctx: Context) {
  const where = describe(m);
  const selector = stringMap(at(m.doc, 'spec.selector.matchLabels'));
  if (deploymentsSelectedBy(selector, stringAt(m.doc, 'metadata.namespace'), ctx).length === 0) {
    ctx.problems.push(`${where}: selector ${JSON.stringify(selector)} matches no Deployment's pod labels`);
  }
  const minAvailable = at(m.doc, 'spec.minAvailable');
  const maxUnavailable = at(m.doc, 'spec.maxUnavailable');
  if ((minAvailable === undefined) === (maxUnavailable === undefined)) {
    ctx.problems.push(`${where}: exactly one of minAvailable and maxUnavailable is required`);
  }
}

/**
 * `requiredEnv` (service name -> variables without defaults) makes every container named like a
 * service prove it receives them.
 */
export function checkManifests(manifests: Manifest[], opts: { requiredEnv?: RequiredEnv } = {}): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const m of manifests) {
    const kind = m.doc.kind;
    const name = stringAt(m.doc, 'metadata.name');
    if (typeof m.doc.apiVersion !== 'string' || typeof kind !== 'string' || name === undefined) {
      problems.push(`${m.source}: every object needs apiVersion, kind and metadata.name`);
      continue;
    }
    if (!DNS_1123.test(name) || name.length > 63) problems.push(`${describe(m)}: name is not a DNS-1123 label`);
    const expected = API_VERSIONS[kind];
    if (expected === undefined) problems.push(`${describe(m)} (${m.source}): kind ${kind} is not one deploy/ uses`);
    else if (m.doc.apiVersion !== expected) problems.push(`${describe(m)}: apiVersion must be ${expected}`);
    const id = `${kind}/${stringAt(m.doc, 'metadata.namespace') ?? ''}/${name}`;
    if (seen.has(id)) problems.push(`${describe(m)}: defined twice`);
    seen.add(id);
  }
  const ctx: Context = {
    problems,
    requiredEnv: opts.requiredEnv ?? {},
    manifests,
    byKind: (kind) => manifests.filter((m) => m.doc.kind === kind),
    exists: (kind, name, namespace) =>
      manifests.some(
        (m) =>
          m.doc.kind === kind &&
          stringAt(m.doc, 'metadata.name') === name &&
          stringAt(m.doc, 'metadata.namespace') === namespace,
      ),
  };
  for (const m of manifests) {
    if (m.doc.kind === 'Deployment') checkDeployment(m, ctx);
    if (m.doc.kind === 'Job') checkJob(m, ctx);
    if (m.doc.kind === 'Service') checkService(m, ctx);
    if (m.doc.kind === 'HorizontalPodAutoscaler') checkHpa(m, ctx);
    if (m.doc.kind === 'PodDisruptionBudget') checkPdb(m, ctx);
  }
  for (const d of ctx.byKind('Deployment')) {
    const name = stringAt(d.doc, 'metadata.name');
    const ns = stringAt(d.doc, 'metadata.namespace');
    for (const kind of ['Service', 'PodDisruptionBudget'] as const) {
      const covered = ctx.byKind(kind).some((other) => {
        const selector = stringMap(kind === 'Service' ? at(other.doc, 'spec.selector') : at(other.doc, 'spec.selector.matchLabels'));
        return (
          stringAt(other.doc, 'metadata.namespace') === ns &&
          labelsMatch(selector, stringMap(at(d.doc, 'spec.template.metadata.labels')))
        );
      });
      if (!covered) problems.push(`Deployment/${name}: no ${kind} selects its pods`);
    }
  }
  return problems;
}
