/**
 * Running locally the way the cluster will: the limits and file-system rules of the container in
 * the project's generated Deployment (memory and CPU limits, read-only root, emptyDir mounts), so
 * a model that needs more memory than its manifest gives, or writes outside /tmp, fails on the
 * laptop first. Pure: manifest text in, plain limits out.
 */
import { parseAllDocuments } from 'yaml';
import { LAYOUT } from '../scaffold/layout';

/** Where the project's base Deployment is, project-relative. */
export const BASE_DEPLOYMENT = `${LAYOUT.k8sDir}/base/deployment.yaml`;

/** What a local run copies from the Deployment's first container. */
export interface ClusterLimits {
  /** Project-relative manifest they came from. */
  source: string;
  memoryBytes?: number;
  /** As written in the manifest, for messages (`601Mi`). */
  memory?: string;
  nanoCpus?: number;
  cpu?: string;
  readOnlyRootFilesystem: boolean;
  /** emptyDir mount paths: tmpfs mounts locally. */
  tmpfs: string[];
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, m: 1e-3 };

/** A Kubernetes quantity in base units (bytes, cores), or undefined when it is not one. */
export function parseQuantity(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const m = /^([+]?\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?$/.exec(text);
  if (!m) return undefined;
  const unit = m[2] ?? '';
  return Number(m[1]) * (BINARY[unit] ?? DECIMAL[unit]!);
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The limits of the first container of the first Deployment in `text`; undefined when there is none. */
export function readClusterLimits(text: string, source: string = BASE_DEPLOYMENT): ClusterLimits | undefined {
  let deployment: Obj | undefined;
  for (const doc of parseAllDocuments(text)) {
    if ('errors' in doc && doc.errors.length > 0) continue;
    const value = obj(doc.toJS());
    if (value?.kind === 'Deployment') {
      deployment = value;
      break;
    }
  }
  const pod = obj(obj(obj(deployment?.spec)?.template)?.spec);
  const container = obj(list(pod?.containers)[0]);
  if (!pod || !container) return undefined;
  const limits = obj(obj(container.resources)?.limits) ?? {};
  const memoryBytes = parseQuantity(limits.memory);
  const cores = parseQuantity(limits.cpu);
  const emptyDirs = new Set(list(pod.volumes).map(obj).filter((v) => v && obj(v.emptyDir) !== undefined).map((v) => v!.name));
  const tmpfs = list(container.volumeMounts).map(obj).filter((m) => m && emptyDirs.has(m.name) && typeof m.mountPath === 'string').map((m) => m!.mountPath as string);
  return {
    source,
    ...(memoryBytes ? { memoryBytes: Math.round(memoryBytes), memory: String(limits.memory) } : {}),
    ...(cores ? { nanoCpus: Math.round(cores * 1e9), cpu: String(limits.cpu) } : {}),
    readOnlyRootFilesystem: obj(container.securityContext)?.readOnlyRootFilesystem === true,
    tmpfs,
  };
}

/** One line for the user: `memory 601Mi, cpu 2, read-only root, tmpfs /tmp (deploy/k8s/base/deployment.yaml)`. */
export function describeClusterLimits(limits: ClusterLimits): string {
  const parts = [limits.memory ? `memory ${limits.memory}` : '', limits.cpu ? `cpu ${limits.cpu}` : '', limits.readOnlyRootFilesystem ? 'read-only root' : '', limits.tmpfs.length ? `tmpfs ${limits.tmpfs.join(', ')}` : ''].filter(Boolean);
  return `${parts.join(', ') || 'no limits'} (${limits.source})`;
}
