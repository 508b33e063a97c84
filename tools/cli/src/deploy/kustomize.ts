import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isObject, stringAt, stringMap, type Json, type JsonObject } from './yaml-values';

/**
 * A small, strict kustomize renderer for the subset of features deploy/ uses: `resources`
 * (files and directories), `namespace`, `labels` (metadata only), `images`, `replicas` and
 * strategic-merge `patches` (by path, optionally with a kind/name target). kubectl is not
 * available in CI here, so this renders what `kubectl kustomize` would for these features, and
 * fails loudly on any other field rather than silently ignoring it.
 */

export interface Manifest {
  /** Where it came from, for error messages. */
  source: string;
  doc: JsonObject;
}

const SUPPORTED_FIELDS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'namespace',
  'labels',
  'images',
  'replicas',
  'patches',
]);

/** Kinds that are not namespaced, so `namespace:` leaves them alone. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);

export class KustomizeError extends Error {
  override readonly name = 'KustomizeError';
}

/** Every YAML document of a file, as plain objects; YAML syntax errors name the file. */
export function parseYamlFile(file: string): JsonObject[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: JsonObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new KustomizeError(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isObject(value)) throw new KustomizeError(`${file}: every document must be a mapping`);
    out.push(value);
  }
  return out;
}

function kustomizationFile(dir: string): string {
  for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new KustomizeError(`${dir}: no kustomization.yaml`);
}

function asStringList(value: Json | undefined, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new KustomizeError(`${where} must be a list of strings`);
  }
  return value as string[];
}

function asObjectList(value: Json | undefined, where: string): JsonObject[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isObject)) throw new KustomizeError(`${where} must be a list of mappings`);
  return value as JsonObject[];
}

/**
 * Strategic merge for the shapes our patches touch: mappings merge recursively; lists whose
 * items all carry a `name` (containers, env, ports, volumes) merge item by item on it; any
 * other list, and every scalar, is replaced; `null` deletes the key.
 */
export function strategicMerge(base: Json, patch: Json): Json {
  if (isObject(base) && isObject(patch)) {
    const out: JsonObject = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete out[key];
      else out[key] = key in base ? strategicMerge(base[key]!, value) : value;
    }
    return out;
  }
  const named = (list: Json[]) => list.every((item) => isObject(item) && typeof item.name === 'string');
  if (Array.isArray(base) && Array.isArray(patch) && named(base) && named(patch)) {
    const out = [...base];
    for (const item of patch as JsonObject[]) {
      const index = out.findIndex((b) => isObject(b) && b.name === item.name);
      if (index === -1) out.push(item);
      else out[index] = strategicMerge(out[index]!, item);
    }
    return out;
  }
  return patch;
}

/** A patch changes content, never identity: with a target its own kind and name are placeholders. */
function patchBody(patch: JsonObject): JsonObject {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = patch;
  const metadata = isObject(rest.metadata) ? { ...rest.metadata } : undefined;
  if (metadata) {
    delete metadata.name;
    delete metadata.namespace;
    rest.metadata = metadata;
  }
  return rest;
}

function sameResource(a: JsonObject, kind: string | undefined, name: string | undefined): boolean {
  return (kind === undefined || a.kind === kind) && (name === undefined || stringAt(a, 'metadata.name') === name);
}

function applyImages(doc: JsonObject, images: JsonObject[]): JsonObject {
  if (images.length === 0) return doc;
  const rewrite = (containers: Json | undefined): Json | undefined =>
    Array.isArray(containers)
      ? containers.map((c) => {
          if (!isObject(c) || typeof c.image !== 'string') return c;
          const [imageName, tag] = splitImage(c.image);
          const rule = images.find((i) => i.name === imageName);
          if (!rule) return c;
          const newName = typeof rule.newName === 'string' ? rule.newName : imageName;
          const newTag = typeof rule.newTag === 'string' ? rule.newTag : tag;
          return { ...c, image: newTag === undefined ? newName : `${newName}:${newTag}` };
        })
      : containers;
  const podSpecPath = doc.kind === 'Job' || doc.kind === 'Deployment' ? ['spec', 'template', 'spec'] : undefined;
  if (podSpecPath === undefined) return doc;
  const podSpec = podSpecPath.reduce<Json | undefined>((v, k) => (isObject(v) ? v[k] : undefined), doc);
  if (!isObject(podSpec)) return doc;
  const patched: JsonObject = { ...podSpec };
  for (const key of ['containers', 'initContainers']) {
    const rewritten = rewrite(podSpec[key]);
    if (rewritten !== undefined) patched[key] = rewritten;
  }
  return strategicMerge(doc, { spec: { template: { spec: patched } } }) as JsonObject;
}

/** `repo/name:tag` -> [`repo/name`, `tag`]; a registry port is not a tag. */
export function splitImage(image: string): [string, string | undefined] {
  const at = image.indexOf('@');
  const withoutDigest = at === -1 ? image : image.slice(0, at);
  const colon = withoutDigest.lastIndexOf(':');
  if (colon === -1 || withoutDigest.indexOf('/', colon) !== -1) return [withoutDigest, undefined];
  return [withoutDigest.slice(0, colon), withoutDigest.slice(colon + 1)];
}

/** Renders a kustomization directory (recursively through its resources) into manifests. */
export function renderKustomization(dir: string): Manifest[] {
  const file = kustomizationFile(dir);
  const docs = parseYamlFile(file);
  if (docs.length !== 1) throw new KustomizeError(`${file}: expected exactly one document`);
  const k = docs[0]!;
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED_FIELDS.has(key));
  if (unsupported.length > 0) {
    throw new KustomizeError(`${file}: unsupported kustomize field(s) ${unsupported.join(', ')} (see tools/cli/src/deploy)`);
  }

  let manifests: Manifest[] = [];
  for (const resource of asStringList(k.resources, `${file}: resources`)) {
    const target = path.resolve(dir, resource);
    if (!existsSync(target)) throw new KustomizeError(`${file}: resource ${resource} does not exist`);
    if (statSync(target).isDirectory()) manifests.push(...renderKustomization(target));
    else manifests.push(...parseYamlFile(target).map((doc) => ({ source: target, doc })));
  }

  for (const patchRef of asObjectList(k.patches, `${file}: patches`)) {
    const patchPath = typeof patchRef.path === 'string' ? path.resolve(dir, patchRef.path) : undefined;
    if (patchPath === undefined) throw new KustomizeError(`${file}: only patches with a path are supported`);
    const target = isObject(patchRef.target) ? patchRef.target : undefined;
    for (const patch of parseYamlFile(patchPath)) {
      const kind = target ? stringAt(target, 'kind') : stringAt(patch, 'kind');
      const name = target ? stringAt(target, 'name') : stringAt(patch, 'metadata.name');
      const matches = manifests.filter((m) => sameResource(m.doc, kind, name));
      if (matches.length === 0) {
        throw new KustomizeError(`${patchPath}: patch target ${kind ?? '*'}/${name ?? '*'} not found`);
      }
      const body = patchBody(patch);
      manifests = manifests.map((m) =>
        sameResource(m.doc, kind, name) ? { ...m, doc: strategicMerge(m.doc, body) as JsonObject } : m,
      );
    }
  }

  for (const replica of asObjectList(k.replicas, `${file}: replicas`)) {
    const name = typeof replica.name === 'string' ? replica.name : undefined;
    if (name === undefined || typeof replica.count !== 'number') {
      throw new KustomizeError(`${file}: replicas entries need name and count`);
    }
    if (!manifests.some((m) => m.doc.kind === 'Deployment' && stringAt(m.doc, 'metadata.name') === name)) {
      throw new KustomizeError(`${file}: replicas for unknown Deployment ${name}`);
    }
    manifests = manifests.map((m) =>
      m.doc.kind === 'Deployment' && stringAt(m.doc, 'metadata.name') === name
        ? { ...m, doc: strategicMerge(m.doc, { spec: { replicas: replica.count } }) as JsonObject }
        : m,
    );
  }

  const images = asObjectList(k.images, `${file}: images`);
  manifests = manifests.map((m) => ({ ...m, doc: applyImages(m.doc, images) }));

  for (const label of asObjectList(k.labels, `${file}: labels`)) {
    if (label.includeSelectors === true || label.includeTemplates === true) {
      throw new KustomizeError(`${file}: labels with includeSelectors/includeTemplates are not supported`);
    }
    const pairs = stringMap(label.pairs);
    manifests = manifests.map((m) => ({
      ...m,
      doc: strategicMerge(m.doc, { metadata: { labels: pairs } }) as JsonObject,
    }));
  }

  if (typeof k.namespace === 'string') {
    const namespace = k.namespace;
    manifests = manifests.map((m) =>
      CLUSTER_SCOPED.has(String(m.doc.kind))
        ? m
        : { ...m, doc: strategicMerge(m.doc, { metadata: { namespace } }) as JsonObject },
    );
  }
  return manifests;
}
