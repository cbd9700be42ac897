/**
 * Reading Kubernetes objects loosely: the rules run on objects that may be wrong in any way (that is
 * what MS-K8S001 reports), so every accessor checks the shape it reads and falls back to "absent".
 */
import type { Path } from './locate';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export function get(o: unknown, path: Path): unknown {
  let cur = o;
  for (const step of path) {
    if (Array.isArray(cur) && typeof step === 'number') cur = cur[step];
    else if (isObj(cur) && typeof step === 'string') cur = cur[step];
    else return undefined;
  }
  return cur;
}

export const objAt = (o: unknown, path: Path): Obj | undefined => {
  const v = get(o, path);
  return isObj(v) ? v : undefined;
};

export const listAt = (o: unknown, path: Path): unknown[] => {
  const v = get(o, path);
  return Array.isArray(v) ? v : [];
};

export const stringAt = (o: unknown, path: Path): string | undefined => {
  const v = get(o, path);
  return typeof v === 'string' ? v : undefined;
};

/** Labels or a selector map, keeping string values only (others are MS-K8S001's business). */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObj(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
  return out;
}

/** Where each workload kind keeps its pod template. */
const TEMPLATE_PATHS: Record<string, Path> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  PodTemplate: ['template'],
  Pod: [],
};

/** Kinds that run their pods until told to stop (and so want readiness and liveness probes). */
export const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Pod']);
/** Kinds an HPA can scale and whose selector must match their template. */
export const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

export interface PodView {
  /** Path of the pod template (`[]` for a Pod). */
  templatePath: Path;
  /** Path of the pod spec. */
  specPath: Path;
  spec: Obj;
  labels: Record<string, string>;
}

export function podOf(kind: string, object: Obj): PodView | undefined {
  const templatePath = TEMPLATE_PATHS[kind];
  if (!templatePath) return undefined;
  const specPath = [...templatePath, 'spec'];
  const spec = objAt(object, specPath);
  if (!spec) return undefined;
  return { templatePath, specPath, spec, labels: stringMap(get(object, [...templatePath, 'metadata', 'labels'])) };
}

export interface ContainerView {
  path: Path;
  container: Obj;
  name: string;
  init: boolean;
}

/** The pod's containers, then its init containers (ephemeral containers are debugging aids). */
export function containersOf(pod: PodView): ContainerView[] {
  const out: ContainerView[] = [];
  for (const [field, init] of [['containers', false], ['initContainers', true]] as const) {
    listAt(pod.spec, [field]).forEach((c, i) => {
      if (isObj(c)) out.push({ path: [...pod.specPath, field, i], container: c, name: typeof c.name === 'string' ? c.name : `#${i}`, init });
    });
  }
  return out;
}

/** A sidecar is an init container with `restartPolicy: Always` (1.28+); it runs beside the app. */
export function isSidecar(c: ContainerView): boolean {
  return c.init && c.container.restartPolicy === 'Always';
}

/** Container ports as declared: name (if any) and number. */
export function portsOf(container: Obj): { name?: string; port: number; index: number }[] {
  const out: { name?: string; port: number; index: number }[] = [];
  listAt(container, ['ports']).forEach((p, index) => {
    if (!isObj(p) || typeof p.containerPort !== 'number') return;
    out.push({ ...(typeof p.name === 'string' ? { name: p.name } : {}), port: p.containerPort, index });
  });
  return out;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity (`500m`, `2`, `1.5Gi`, `1e3`) as a number; undefined when unreadable. */
export function parseQuantity(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])?)$/.exec(v.trim());
  if (!match) return undefined;
  const base = Number(match[1]);
  if (match[2]) return Number(`${match[1]}${match[2]}`);
  if (match[3]) return base * BINARY[match[3]]!;
  return base * DECIMAL[match[4] ?? '']!;
}

export interface ImageRef {
  /** Everything before the tag or digest: `ghcr.io/org/app`. */
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImage(ref: string): ImageRef {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon + 1) : undefined;
  return { repository: colon > slash ? name.slice(0, colon) : name, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** Whether `labels` satisfy a LabelSelector (matchLabels and matchExpressions). */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!isObj(selector)) return false;
  const matchLabels = stringMap(selector.matchLabels);
  const expressions = listAt(selector, ['matchExpressions']).filter(isObj);
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return false;
  if (!Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) return false;
  return expressions.every((e) => {
    const key = typeof e.key === 'string' ? e.key : '';
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    switch (e.operator) {
      case 'In': return key in labels && values.includes(labels[key]!);
      case 'NotIn': return !(key in labels) || !values.includes(labels[key]!);
      case 'Exists': return key in labels;
      case 'DoesNotExist': return !(key in labels);
      default: return false;
    }
  });
}

/** Whether `labels` satisfy a Service's plain selector map. */
export function mapSelects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** Namespaces match when equal, or when either is left to kubectl's (or kustomize's) default. */
export function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}
