/**
 * What an apply would change, as `kubectl diff` shows it: the live object against the server's
 * dry-run answer, both stripped of what the server manages (status, managedFields, resourceVersion,
 * uid, generation, timestamps), as unified YAML diffs. Secret values are redacted on both sides, so a
 * diff says that a value changed, never what it is.
 */
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import type { KubeObject } from './records';

const SERVER_FIELDS = ['managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp', 'selfLink'];
const SERVER_ANNOTATIONS = ['deployment.kubernetes.io/revision', 'kubectl.kubernetes.io/last-applied-configuration'];

export interface ObjectDiff {
  /** `Kind/name` (namespace when namespaced). */
  id: string;
  change: 'create' | 'update' | 'unchanged';
  /** Unified diff (empty when unchanged). */
  patch: string;
}

export function objectId(object: KubeObject): string {
  const ns = object.metadata?.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind ?? '?'}/${ns}${object.metadata?.name ?? '?'}`;
}

/**
 * A copy of `object` without server-managed fields. Secret values become `(redacted)`; on the planned
 * side a value that differs from the live one becomes `(redacted, changed)`, so the diff shows that it changed.
 */
export function normalizeForDiff(object: KubeObject, live?: KubeObject): KubeObject {
  const copy = JSON.parse(JSON.stringify(object)) as KubeObject;
  delete copy.status;
  if (copy.metadata) {
    for (const field of SERVER_FIELDS) delete (copy.metadata as Record<string, unknown>)[field];
    if (copy.metadata.annotations) {
      for (const a of SERVER_ANNOTATIONS) delete copy.metadata.annotations[a];
      if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
    }
  }
  if (copy.kind === 'Secret') {
    for (const key of ['data', 'stringData'] as const) {
      const values = copy[key] as Record<string, string> | undefined;
      if (!values || typeof values !== 'object') continue;
      const before = (live?.[key] ?? undefined) as Record<string, string> | undefined;
      copy[key] = Object.fromEntries(Object.keys(values).map((k) => [k, !live || before?.[k] === values[k] ? '(redacted)' : '(redacted, changed)']));
    }
  }
  return copy;
}

export function diffObject(live: KubeObject | undefined, planned: KubeObject): ObjectDiff {
  const id = objectId(planned);
  const after = stringify(normalizeForDiff(planned, live));
  if (!live) return { id, change: 'create', patch: createTwoFilesPatch(`${id} (live)`, `${id} (planned)`, '', after, undefined, undefined, { context: 3 }) };
  const before = stringify(normalizeForDiff(live));
  if (before === after) return { id, change: 'unchanged', patch: '' };
  return { id, change: 'update', patch: createTwoFilesPatch(`${id} (live)`, `${id} (planned)`, before, after, undefined, undefined, { context: 3 }) };
}
