/**
 * A built-in kustomize for when neither `kustomize` nor `kubectl` is on PATH. It renders what
 * `modelship containerize` generates and what people commonly add on top, the way kustomize v5
 * does (checked against `kubectl kustomize` in test/unit/deploy/kustomize.test.ts):
 * - `resources` (files, multi-document or `kind: List`, and folders with a kustomization) and the
 *   deprecated `bases`, which kustomize appends after `resources`;
 * - `namespace` (also renames `v1` Namespace objects and sets RoleBinding subjects named `default`);
 * - `commonLabels` (into selectors and pod templates), `labels` (`includeSelectors`,
 *   `includeTemplates`), `commonAnnotations` (also into pod templates), with kustomize's field specs;
 * - `images` (`name` matched without tag or digest → `newName`, `newTag`, `digest`), on every
 *   `containers`/`initContainers` list as kustomize's legacy image filter does;
 * - strategic merge patches from `patchesStrategicMerge` and from `patches` entries with `path:`
 *   or `patch:` and no `target:`. Lists merge by Kubernetes' patch merge keys (containers, env,
 *   volumes by `name`, volumeMounts by `mountPath`, container ports by `containerPort`, Service
 *   ports by `port`, …), other lists are replaced, `null` removes a field, and `$patch: delete`
 *   on a list element removes it. Patched elements come first, then the rest, as kustomize's
 *   prepend-merge puts them;
 * - `replicas`.
 * Objects come out in kustomize's legacy order (Namespace, ResourceQuota, …, ConfigMap, Secret,
 * Service, …, Deployment, StatefulSet, CronJob, PodDisruptionBudget, then other kinds, then
 * webhooks). Anything else (generators, Helm charts, JSON 6902 patches, components, name
 * prefixes, remote resources, …) is refused with the kustomization's file and line.
 */
import { posix } from 'path';
import { LineCounter, parseAllDocuments, parseDocument, isMap, isScalar } from 'yaml';
import { ModelshipError } from '../errors';
import type { KubeObject } from './records';

/** Returns a file's text, or undefined when `path` is not a readable file (a folder, missing). */
export type KustomizeFileReader = (path: string) => string | undefined;

export const KUSTOMIZATION_FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

const INSTALL_HINT = 'Install kubectl (https://kubernetes.io/docs/tasks/tools/, it includes kustomize) or kustomize (https://kubectl.docs.kubernetes.io/installation/kustomize/), then deploy again: Modelship uses them when they are on PATH.';

const SUPPORTED_KEYS = new Set(['apiVersion', 'kind', 'metadata', 'resources', 'bases', 'namespace', 'commonLabels', 'commonAnnotations', 'labels', 'images', 'patchesStrategicMerge', 'patches', 'replicas']);

type Json = unknown;
type JsonMap = Record<string, Json>;

function isPlainMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

interface Kustomization {
  file: string;
  dir: string;
  lines: LineCounter;
  /** Offsets of top-level keys, for messages. */
  keyOffsets: Map<string, number>;
  body: JsonMap;
}

function lineOf(k: Kustomization, key: string): number {
  const offset = k.keyOffsets.get(key);
  return offset === undefined ? 1 : k.lines.linePos(offset).line;
}

function refuse(k: Kustomization, key: string, what: string): never {
  throw new ModelshipError('KUSTOMIZE_UNSUPPORTED', `${k.file}:${lineOf(k, key)}: ${what}, which Modelship's built-in renderer does not handle (kustomize and kubectl are not on PATH).`, INSTALL_HINT);
}

function invalid(k: Kustomization, key: string, what: string): never {
  throw new ModelshipError('RENDER_FAILED', `${k.file}:${lineOf(k, key)}: ${what}`, 'Fix the kustomization it names, then deploy again.');
}

function readKustomization(read: KustomizeFileReader, dir: string): Kustomization | undefined {
  for (const name of KUSTOMIZATION_FILE_NAMES) {
    const file = posix.join(dir, name);
    const text = read(file);
    if (text === undefined) continue;
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines });
    if (doc.errors.length > 0) throw new ModelshipError('RENDER_FAILED', `${file}:${lines.linePos(doc.errors[0]!.pos[0]).line}: ${doc.errors[0]!.message.split('\n')[0]}`, 'Fix the kustomization it names, then deploy again.');
    const keyOffsets = new Map<string, number>();
    if (isMap(doc.contents)) {
      for (const pair of doc.contents.items) {
        if (isScalar(pair.key) && pair.key.range) keyOffsets.set(String(pair.key.value), pair.key.range[0]);
      }
    }
    const body = doc.toJS() as unknown;
    return { file, dir, lines, keyOffsets, body: isPlainMap(body) ? body : {} };
  }
  return undefined;
}

function stringList(k: Kustomization, key: string): string[] {
  const value = k.body[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) invalid(k, key, `\`${key}\` must be a list of paths.`);
  return value as string[];
}

function stringMap(k: Kustomization, key: string, value: unknown = k.body[key]): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isPlainMap(value)) invalid(k, key, `\`${key}\` must be a map of strings.`);
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) out[name] = v === null ? '' : String(v);
  return out;
}

function isRemote(entry: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(entry) || entry.startsWith('git@') || /\?ref=/.test(entry);
}

function parseObjects(text: string, file: string): KubeObject[] {
  const out: KubeObject[] = [];
  const lines = new LineCounter();
  for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
    if (doc.errors.length > 0) throw new ModelshipError('RENDER_FAILED', `${file}:${lines.linePos(doc.errors[0]!.pos[0]).line}: ${doc.errors[0]!.message.split('\n')[0]}`, 'Fix the file it names, then deploy again.');
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    if (!isPlainMap(value)) throw new ModelshipError('RENDER_FAILED', `${file} holds a YAML document that is not an object.`);
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      for (const item of value.items) if (isPlainMap(item)) out.push(item as KubeObject);
      continue;
    }
    out.push(value as KubeObject);
  }
  return out;
}

function groupVersion(obj: KubeObject): { group: string; version: string } {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function idOf(obj: KubeObject): string {
  const { group, version } = groupVersion(obj);
  return `${group}/${version}/${obj.kind ?? ''} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

// ---- field specs (kustomize's api/internal/konfig/builtinpluginconsts) ----

interface FieldSpec { path: string; kind?: string; group?: string; version?: string; create: boolean }

const WORKLOAD_TEMPLATE_LABELS: FieldSpec[] = [
  { path: 'spec/template/metadata/labels', kind: 'ReplicationController', version: 'v1', create: true },
  { path: 'spec/template/metadata/labels', kind: 'Deployment', create: true },
  { path: 'spec/template/metadata/labels', kind: 'ReplicaSet', create: true },
  { path: 'spec/template/metadata/labels', kind: 'DaemonSet', create: true },
  { path: 'spec/template/metadata/labels', kind: 'StatefulSet', group: 'apps', create: true },
  { path: 'spec/template/metadata/labels', kind: 'Job', group: 'batch', create: true },
  { path: 'spec/jobTemplate/metadata/labels', kind: 'CronJob', group: 'batch', create: true },
  { path: 'spec/jobTemplate/spec/template/metadata/labels', kind: 'CronJob', group: 'batch', create: true },
];
const METADATA_LABELS: FieldSpec[] = [{ path: 'metadata/labels', create: true }, ...WORKLOAD_TEMPLATE_LABELS];

const AFFINITY_SELECTORS = [
  'spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
  'spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
  'spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels',
];

const COMMON_LABELS: FieldSpec[] = [
  { path: 'spec/selector', kind: 'Service', version: 'v1', create: true },
  { path: 'spec/selector', kind: 'ReplicationController', version: 'v1', create: true },
  { path: 'spec/selector/matchLabels', kind: 'Deployment', create: true },
  ...AFFINITY_SELECTORS.map((path) => ({ path, kind: 'Deployment', group: 'apps', create: false })),
  { path: 'spec/selector/matchLabels', kind: 'ReplicaSet', create: true },
  { path: 'spec/selector/matchLabels', kind: 'DaemonSet', create: true },
  { path: 'spec/selector/matchLabels', kind: 'StatefulSet', group: 'apps', create: true },
  { path: 'spec/volumeClaimTemplates[]/metadata/labels', kind: 'StatefulSet', group: 'apps', create: true },
  ...AFFINITY_SELECTORS.map((path) => ({ path, kind: 'StatefulSet', group: 'apps', create: false })),
  { path: 'spec/selector/matchLabels', kind: 'Job', group: 'batch', create: false },
  { path: 'spec/jobTemplate/spec/selector/matchLabels', kind: 'CronJob', group: 'batch', create: false },
  { path: 'spec/selector/matchLabels', kind: 'PodDisruptionBudget', group: 'policy', create: false },
  { path: 'spec/podSelector/matchLabels', kind: 'NetworkPolicy', group: 'networking.k8s.io', create: false },
  { path: 'spec/ingress/from/podSelector/matchLabels', kind: 'NetworkPolicy', group: 'networking.k8s.io', create: false },
  { path: 'spec/egress/to/podSelector/matchLabels', kind: 'NetworkPolicy', group: 'networking.k8s.io', create: false },
  ...METADATA_LABELS,
];

const COMMON_ANNOTATIONS: FieldSpec[] = [
  { path: 'metadata/annotations', create: true },
  ...WORKLOAD_TEMPLATE_LABELS.map((spec) => ({ ...spec, path: spec.path.replace(/labels$/, 'annotations'), group: spec.kind === 'StatefulSet' ? undefined : spec.group })),
];

function specMatches(spec: FieldSpec, obj: KubeObject): boolean {
  if (spec.kind !== undefined && obj.kind !== spec.kind) return false;
  const { group, version } = groupVersion(obj);
  if (spec.group !== undefined && group !== spec.group) return false;
  if (spec.version !== undefined && version !== spec.version) return false;
  return true;
}

/** Sets `pairs` into the map at `segments` under `node`, walking into every element of lists on the way. */
function setMapAt(node: Json, segments: string[], create: boolean, pairs: Record<string, string>): void {
  if (Array.isArray(node)) {
    for (const element of node) setMapAt(element, segments, create, pairs);
    return;
  }
  if (!isPlainMap(node) || segments.length === 0) return;
  const [first, ...rest] = segments;
  const isList = first!.endsWith('[]');
  const field = isList ? first!.slice(0, -2) : first!;
  let child = node[field];
  if (child === undefined || child === null) {
    if (!create || isList) return;
    child = node[field] = {};
  }
  if (rest.length === 0) {
    if (isPlainMap(child)) Object.assign(child, pairs);
    return;
  }
  setMapAt(child, rest, create, pairs);
}

function applyFieldSpecs(objects: KubeObject[], specs: FieldSpec[], pairs: Record<string, string>): void {
  if (Object.keys(pairs).length === 0) return;
  for (const obj of objects) {
    const done = new Set<string>();
    for (const spec of specs) {
      if (!specMatches(spec, obj) || done.has(spec.path)) continue;
      done.add(spec.path);
      setMapAt(obj, spec.path.split('/'), spec.create, pairs);
    }
  }
}

// ---- namespace ----

const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding',
  'PriorityClass', 'PriorityLevelConfiguration', 'FlowSchema', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'APIService', 'IngressClass', 'RuntimeClass', 'CSIDriver', 'CSINode',
  'VolumeAttachment', 'PodSecurityPolicy', 'CertificateSigningRequest', 'ComponentStatus', 'TokenReview', 'SelfSubjectAccessReview',
  'SelfSubjectRulesReview', 'SubjectAccessReview', 'StorageVersion', 'ClusterTrustBundle', 'DeviceClass', 'ResourceSlice',
]);

function applyNamespace(objects: KubeObject[], namespace: string): void {
  for (const obj of objects) {
    const { group, version } = groupVersion(obj);
    const metadata = (obj.metadata ??= {});
    if (!CLUSTER_SCOPED.has(obj.kind ?? '')) metadata.namespace = namespace;
    if (obj.kind === 'Namespace' && obj.apiVersion === 'v1') metadata.name = namespace;
    if ((obj.kind === 'RoleBinding' || obj.kind === 'ClusterRoleBinding') && Array.isArray(obj.subjects)) {
      for (const subject of obj.subjects) if (isPlainMap(subject) && subject.name === 'default') subject.namespace = namespace;
    }
    if (obj.kind === 'APIService' && group === 'apiregistration.k8s.io') setScalarAt(obj, ['spec', 'service', 'namespace'], namespace);
    if (obj.kind === 'CustomResourceDefinition' && group === 'apiextensions.k8s.io' && version) {
      const service = ((((obj.spec as JsonMap | undefined)?.conversion as JsonMap | undefined)?.webhook as JsonMap | undefined)?.clientConfig as JsonMap | undefined)?.service;
      if (isPlainMap(service)) service.namespace = namespace;
    }
  }
}

function setScalarAt(obj: JsonMap, segments: string[], value: string): void {
  let node: JsonMap = obj;
  for (const segment of segments.slice(0, -1)) {
    const next = node[segment];
    if (!isPlainMap(next)) node[segment] = {};
    node = node[segment] as JsonMap;
  }
  node[segments[segments.length - 1]!] = value;
}

// ---- images ----

interface ImageRule { name: string; newName?: string; newTag?: string; digest?: string }

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** kustomize's image.Split: name, tag and digest of a reference, the registry's port kept in the name. */
export function splitImage(reference: string): { name: string; tag: string; digest: string } {
  const slash = reference.indexOf('/');
  const offset = slash > 0 ? slash : 0;
  const search = reference.slice(offset);
  const at = search.indexOf('@');
  const colon = search.indexOf(':');
  if (colon < 0 && at < 0) return { name: reference, tag: '', digest: '' };
  if (at >= 0 && (at < colon || colon < 0)) return { name: reference.slice(0, at + offset), tag: '', digest: reference.slice(at + offset + 1) };
  if (at >= 0 && colon >= 0) return { name: reference.slice(0, colon + offset), tag: reference.slice(colon + offset + 1, at + offset), digest: reference.slice(at + offset + 1) };
  return { name: reference.slice(0, colon + offset), tag: reference.slice(colon + offset + 1), digest: '' };
}

export function rewriteImage(reference: string, rule: ImageRule): string {
  const pattern = new RegExp(`^${escapeRegExp(rule.name)}(:[a-zA-Z0-9_.{}-]*)?(@[a-zA-Z0-9]+([.+_-][a-zA-Z0-9]+)*:[a-zA-Z0-9_.{}-]*)?$`);
  if (!pattern.test(reference)) return reference;
  let { name, tag, digest } = splitImage(reference);
  if (rule.newName) name = rule.newName;
  if (rule.newTag && rule.digest) { tag = rule.newTag; digest = rule.digest; }
  else if (rule.newTag) { tag = rule.newTag; digest = ''; }
  else if (rule.digest) { tag = ''; digest = rule.digest; }
  return `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}

function rewriteContainersAnywhere(node: Json, rule: ImageRule): void {
  if (Array.isArray(node)) {
    for (const element of node) rewriteContainersAnywhere(element, rule);
    return;
  }
  if (!isPlainMap(node)) return;
  for (const [key, value] of Object.entries(node)) {
    rewriteContainersAnywhere(value, rule);
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      for (const container of value) {
        if (isPlainMap(container) && typeof container.image === 'string') container.image = rewriteImage(container.image, rule);
      }
    }
  }
}

function applyImages(k: Kustomization, objects: KubeObject[]): void {
  const value = k.body.images;
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) invalid(k, 'images', '`images` must be a list.');
  for (const entry of value) {
    if (!isPlainMap(entry) || typeof entry.name !== 'string') invalid(k, 'images', 'every `images` entry needs a `name`.');
    const extra = Object.keys(entry).filter((key) => !['name', 'newName', 'newTag', 'digest'].includes(key));
    if (extra.length > 0) refuse(k, 'images', `\`images\` uses \`${extra[0]}\``);
    const rule: ImageRule = { name: entry.name, newName: entry.newName === undefined ? undefined : String(entry.newName), newTag: entry.newTag === undefined ? undefined : String(entry.newTag), digest: entry.digest === undefined ? undefined : String(entry.digest) };
    for (const obj of objects) {
      if (obj.kind === 'CustomResourceDefinition') continue;
      rewriteContainersAnywhere(obj, rule);
      for (const volumes of [(obj.spec as JsonMap | undefined)?.volumes, (((obj.spec as JsonMap | undefined)?.template as JsonMap | undefined)?.spec as JsonMap | undefined)?.volumes]) {
        if (!Array.isArray(volumes)) continue;
        for (const volume of volumes) {
          const image = isPlainMap(volume) ? volume.image : undefined;
          if (isPlainMap(image) && typeof image.reference === 'string') image.reference = rewriteImage(image.reference, rule);
        }
      }
    }
  }
}

// ---- strategic merge patch ----

const POD_SPEC_KEYS: Record<string, string> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name', imagePullSecrets: 'name',
  hostAliases: 'ip', topologySpreadConstraints: 'topologyKey', resourceClaims: 'name', schedulingGates: 'name',
};
const CONTAINER_KEYS: Record<string, string> = { env: 'name', ports: 'containerPort', volumeMounts: 'mountPath', volumeDevices: 'devicePath', resizePolicy: 'resourceName' };
/** Kinds whose lists Modelship knows the patch semantics of; other kinds' lists are refused. */
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);
const LIST_ATOMIC_KINDS = new Set(['ConfigMap', 'Secret', 'Namespace', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceAccount']);

class UnsureError extends Error {}

/** The merge key of the list at `path` in an object of `kind`, null for a list patched by replacement. */
function mergeKeyFor(kind: string, listPath: string[]): string | null {
  const path = listPath.filter((segment) => segment !== '[]');
  const field = path[path.length - 1]!;
  if (path[0] === 'metadata') {
    if (field === 'ownerReferences') return 'uid';
    if (field === 'finalizers') throw new UnsureError('metadata.finalizers');
    return null;
  }
  if (POD_TEMPLATE_KINDS.has(kind)) {
    const podPath = kind === 'StatefulSet' && path[1] === 'volumeClaimTemplates' ? null : path.slice(0, 3).join('.') === 'spec.template.spec' ? path.slice(3) : null;
    if (podPath) {
      if (podPath.length === 1 && field in POD_SPEC_KEYS) return POD_SPEC_KEYS[field]!;
      if (podPath.length === 2 && (podPath[0] === 'containers' || podPath[0] === 'initContainers' || podPath[0] === 'ephemeralContainers') && field in CONTAINER_KEYS) return CONTAINER_KEYS[field]!;
    }
    if (path.join('.') === 'status.conditions') return 'type';
    return null;
  }
  if (kind === 'Service') return path.join('.') === 'spec.ports' ? 'port' : null;
  if (LIST_ATOMIC_KINDS.has(kind)) return null;
  throw new UnsureError(`a list in a ${kind}`);
}

function keyString(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

function mergeValue(kind: string, path: string[], target: Json, patch: Json): Json {
  if (isPlainMap(patch)) {
    if ('$patch' in patch || Object.keys(patch).some((key) => key.startsWith('$'))) throw new UnsureError(`the directive ${Object.keys(patch).find((key) => key.startsWith('$'))} at ${path.join('.') || 'the top'}`);
    const base: JsonMap = isPlainMap(target) ? target : {};
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) { delete base[key]; continue; }
      const merged = mergeValue(kind, [...path, key], base[key], value);
      base[key] = merged;
    }
    return base;
  }
  if (Array.isArray(patch)) {
    const key = mergeKeyFor(kind, path);
    if (key === null || !Array.isArray(target)) {
      if (patch.some((element) => isPlainMap(element) && Object.keys(element).some((k) => k.startsWith('$')))) throw new UnsureError(`a directive in ${path.join('.')}`);
      return clone(patch);
    }
    // Service ports and container ports are keyed by port and protocol: kustomize puts new
    // elements first and drops a patch element that leaves out the protocol of the one it matches.
    const secondary = (key === 'port' || key === 'containerPort') ? 'protocol' : undefined;
    const remaining = [...target];
    const result: Json[] = [];
    const deleted = new Set<Json>();
    for (const element of patch) {
      if (!isPlainMap(element) || keyString(element[key]) === undefined) throw new UnsureError(`an element of ${path.join('.')} without \`${key}\``);
      const id = keyString(element[key]);
      const index = remaining.findIndex((candidate) => isPlainMap(candidate) && keyString(candidate[key]) === id);
      const existing = index >= 0 ? remaining.splice(index, 1)[0] : undefined;
      const directive = element.$patch;
      if (directive === 'delete' && Object.keys(element).length === 2) {
        deleted.add(existing);
        continue;
      }
      if (directive !== undefined) throw new UnsureError(`\`$patch: ${String(directive)}\` in ${path.join('.')}`);
      if (secondary && existing !== undefined) {
        if (isPlainMap(existing) && existing[secondary] !== undefined && keyString(element[secondary]) !== keyString(existing[secondary])) throw new UnsureError(`an element of ${path.join('.')} that names ${key} ${id} without its ${secondary} ${String(existing[secondary])}`);
        mergeValue(kind, path.concat('[]'), existing, element); // merges in place
        continue;
      }
      result.push(existing === undefined ? stripNulls(clone(element)) : mergeValue(kind, path.concat('[]'), existing, element));
    }
    if (secondary) return [...result, ...target.filter((element) => !deleted.has(element))];
    return [...result, ...remaining];
  }
  return patch;
}

function stripNulls(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (!isPlainMap(value)) return value;
  for (const [key, v] of Object.entries(value)) {
    if (v === null) delete value[key];
    else value[key] = stripNulls(v);
  }
  return value;
}

/** Applies one strategic merge patch document to the object it names. */
function applyPatch(k: Kustomization, key: string, source: string, objects: KubeObject[], patch: KubeObject): void {
  const name = patch.metadata?.name;
  if (typeof patch.kind !== 'string' || typeof name !== 'string') invalid(k, key, `the patch ${source} needs \`kind\` and \`metadata.name\` to say which object it changes.`);
  if (patch.$patch !== undefined) refuse(k, key, `the patch ${source} uses \`$patch: ${String(patch.$patch)}\` on a whole object`);
  const { group, version } = groupVersion(patch);
  const matches = objects.filter((obj) => {
    const id = groupVersion(obj);
    return obj.kind === patch.kind && obj.metadata?.name === name && (!patch.apiVersion || (id.group === group && id.version === version)) && (patch.metadata?.namespace === undefined || obj.metadata?.namespace === patch.metadata.namespace);
  });
  if (matches.length === 0) invalid(k, key, `the patch ${source} names ${patch.kind} ${name}, which no resource of this kustomization is.`);
  for (const target of matches) {
    const body = clone(patch) as JsonMap;
    // Group, version and kind identify the target; the patch does not change them.
    delete body.apiVersion;
    delete body.kind;
    try {
      mergeValue(target.kind!, [], target, body);
    } catch (error) {
      if (error instanceof UnsureError) refuse(k, key, `the patch ${source} has ${error.message}`);
      throw error;
    }
  }
}

function patchDocuments(read: KustomizeFileReader, k: Kustomization, key: string, relative: string): { source: string; docs: KubeObject[] } {
  if (isRemote(relative)) refuse(k, key, `\`${key}\` names the remote file ${relative}`);
  const file = posix.join(k.dir, relative);
  const text = read(file);
  if (text === undefined) invalid(k, key, `the patch ${relative} is not a file next to the kustomization.`);
  const parsed = parseAllDocuments(text).map((doc) => doc.toJS() as unknown).filter((doc) => doc !== null && doc !== undefined);
  if (parsed.some((doc) => Array.isArray(doc))) refuse(k, key, `the patch ${relative} is a JSON 6902 patch`);
  return { source: relative, docs: parsed as KubeObject[] };
}

function applyPatches(read: KustomizeFileReader, k: Kustomization, objects: KubeObject[]): void {
  for (const relative of stringList(k, 'patchesStrategicMerge')) {
    if (relative.includes('\n') || relative.trimStart().startsWith('apiVersion')) {
      for (const doc of parseAllDocuments(relative).map((d) => d.toJS() as KubeObject).filter(Boolean)) applyPatch(k, 'patchesStrategicMerge', 'written inline', objects, doc);
      continue;
    }
    const { source, docs } = patchDocuments(read, k, 'patchesStrategicMerge', relative);
    for (const doc of docs) applyPatch(k, 'patchesStrategicMerge', source, objects, doc);
  }
  const patches = k.body.patches;
  if (patches === undefined || patches === null) return;
  if (!Array.isArray(patches)) invalid(k, 'patches', '`patches` must be a list.');
  for (const entry of patches) {
    if (!isPlainMap(entry)) invalid(k, 'patches', 'every `patches` entry needs `path:` or `patch:`.');
    const extra = Object.keys(entry).filter((field) => field !== 'path' && field !== 'patch');
    if (extra.length > 0) refuse(k, 'patches', `a \`patches\` entry uses \`${extra[0]}:\` (a targeted or JSON 6902 patch)`);
    if (typeof entry.path === 'string') {
      const { source, docs } = patchDocuments(read, k, 'patches', entry.path);
      for (const doc of docs) applyPatch(k, 'patches', source, objects, doc);
    } else if (typeof entry.patch === 'string') {
      const docs = parseAllDocuments(entry.patch).map((doc) => doc.toJS() as unknown).filter((doc) => doc !== null && doc !== undefined);
      if (docs.some((doc) => Array.isArray(doc))) refuse(k, 'patches', 'a `patches` entry is a JSON 6902 patch');
      for (const doc of docs) applyPatch(k, 'patches', 'written inline', objects, doc as KubeObject);
    } else {
      invalid(k, 'patches', 'every `patches` entry needs `path:` or `patch:`.');
    }
  }
}

// ---- labels, annotations, replicas ----

function applyLabels(k: Kustomization, objects: KubeObject[]): void {
  const labels = k.body.labels;
  if (labels !== undefined && labels !== null) {
    if (!Array.isArray(labels)) invalid(k, 'labels', '`labels` must be a list.');
    for (const entry of labels) {
      if (!isPlainMap(entry)) invalid(k, 'labels', 'every `labels` entry needs `pairs`.');
      const extra = Object.keys(entry).filter((field) => !['pairs', 'includeSelectors', 'includeTemplates'].includes(field));
      if (extra.length > 0) refuse(k, 'labels', `a \`labels\` entry uses \`${extra[0]}\``);
      const pairs = stringMap(k, 'labels', entry.pairs);
      const specs = entry.includeSelectors === true ? COMMON_LABELS : entry.includeTemplates === true ? [...WORKLOAD_TEMPLATE_LABELS, { path: 'metadata/labels', create: true }] : [{ path: 'metadata/labels', create: true }];
      applyFieldSpecs(objects, specs, pairs);
    }
  }
  applyFieldSpecs(objects, COMMON_LABELS, stringMap(k, 'commonLabels'));
}

function applyReplicas(k: Kustomization, objects: KubeObject[], originalNames: Map<KubeObject, string | undefined>): void {
  const value = k.body.replicas;
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) invalid(k, 'replicas', '`replicas` must be a list of `name` and `count`.');
  for (const entry of value) {
    if (!isPlainMap(entry) || typeof entry.name !== 'string' || typeof entry.count !== 'number') invalid(k, 'replicas', 'every `replicas` entry needs a `name` and a numeric `count`.');
    for (const obj of objects) {
      if (!['Deployment', 'ReplicationController', 'ReplicaSet', 'StatefulSet'].includes(obj.kind ?? '')) continue;
      if (obj.metadata?.name !== entry.name && originalNames.get(obj) !== entry.name) continue;
      const spec = isPlainMap(obj.spec) ? obj.spec : (obj.spec = {});
      (spec as JsonMap).replicas = entry.count;
    }
  }
}

// ---- building ----

function build(read: KustomizeFileReader, dir: string, stack: string[]): KubeObject[] {
  const k = readKustomization(read, dir);
  if (!k) throw new ModelshipError('NO_OVERLAY', `${dir} holds no kustomization.yaml.`, 'Generate the manifests with `modelship containerize`, or set `overlay:` of this environment in deploy/environments.yaml.');
  if (stack.includes(dir)) invalid(k, 'resources', `the kustomization includes itself through ${stack.join(' → ')}.`);
  if (k.body.kind === 'Component') refuse(k, 'kind', 'it is a kustomize Component');
  for (const key of Object.keys(k.body)) {
    if (!SUPPORTED_KEYS.has(key)) refuse(k, key, `it uses \`${key}\``);
  }

  const objects: KubeObject[] = [];
  const seen = new Set<string>();
  const entries = [...stringList(k, 'resources').map((entry) => ['resources', entry] as const), ...stringList(k, 'bases').map((entry) => ['bases', entry] as const)];
  for (const [key, entry] of entries) {
    if (isRemote(entry)) refuse(k, key, `\`${key}\` names the remote resource ${entry}`);
    const resolved = posix.join(dir, entry);
    const text = read(resolved);
    let found: KubeObject[];
    if (text !== undefined) found = parseObjects(text, resolved);
    else if (KUSTOMIZATION_FILE_NAMES.some((name) => read(posix.join(resolved, name)) !== undefined)) found = build(read, resolved, [...stack, dir]);
    else invalid(k, key, `${entry} is neither a file nor a folder with a kustomization.yaml.`);
    for (const obj of found) {
      const id = idOf(obj);
      if (seen.has(id)) invalid(k, key, `${entry} adds ${obj.kind} ${obj.metadata?.name ?? ''} a second time.`);
      seen.add(id);
      objects.push(obj);
    }
  }

  const originalNames = new Map(objects.map((obj) => [obj, obj.metadata?.name] as const));
  applyPatches(read, k, objects);
  const namespace = k.body.namespace;
  if (namespace !== undefined && namespace !== null && namespace !== '') {
    if (typeof namespace !== 'string') invalid(k, 'namespace', '`namespace` must be a string.');
    applyNamespace(objects, namespace);
  }
  applyLabels(k, objects);
  applyFieldSpecs(objects, COMMON_ANNOTATIONS, stringMap(k, 'commonAnnotations'));
  applyReplicas(k, objects, originalNames);
  applyImages(k, objects);
  return objects;
}

// ---- kustomize's legacy order ----

const ORDER_FIRST = ['Namespace', 'ResourceQuota', 'StorageClass', 'CustomResourceDefinition', 'ServiceAccount', 'PodSecurityPolicy', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'Secret', 'Endpoints', 'Service', 'LimitRange', 'PriorityClass', 'PersistentVolume', 'PersistentVolumeClaim', 'Deployment', 'StatefulSet', 'CronJob', 'PodDisruptionBudget'];
const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

function rank(kind: string): number {
  const first = ORDER_FIRST.indexOf(kind);
  if (first >= 0) return first - ORDER_FIRST.length;
  const last = ORDER_LAST.indexOf(kind);
  return last >= 0 ? 1 + last : 0;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** kustomize's `--reorder legacy`, the default of `kustomize build` and `kubectl kustomize`. */
export function legacySort(objects: KubeObject[]): KubeObject[] {
  const gvkString = (obj: KubeObject): string => {
    const { group, version } = groupVersion(obj);
    return `${group || '~G'}_${version || '~V'}_${obj.kind || '~K'}`;
  };
  const idString = (obj: KubeObject): string => {
    const { group, version } = groupVersion(obj);
    return `${obj.kind || '[noKind]'}.${version || '[noVer]'}.${group || '[noGrp]'}|${obj.metadata?.namespace || '~X'}|${obj.metadata?.name || '~N'}`;
  };
  return [...objects].sort((a, b) => {
    const ga = gvkString(a);
    const gb = gvkString(b);
    if (ga !== gb) {
      const ra = rank(a.kind ?? '');
      const rb = rank(b.kind ?? '');
      if (ra !== rb) return ra - rb;
      if (a.kind === 'Namespace' && b.kind === 'Namespace' && (groupVersion(a).group === '' || groupVersion(b).group === '')) return compareStrings(gb, ga);
      return compareStrings(ga, gb);
    }
    return compareStrings(idString(a), idString(b));
  });
}

/**
 * Renders the kustomization in `overlayDir` (a '/'-separated path that `read` understands) as
 * `kustomize build` does, or throws a ModelshipError naming the file and line it cannot handle.
 */
export function renderKustomization(read: KustomizeFileReader, overlayDir: string): KubeObject[] {
  return legacySort(build(read, posix.normalize(overlayDir).replace(/(.)\/+$/, '$1'), []));
}
