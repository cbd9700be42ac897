/**
 * The recommended `app.kubernetes.io/*` labels, shared by the manifests, KServe and the chart's
 * defaults. Selectors use only `name` and `instance`: a selector is immutable, so nothing that
 * changes between releases (the version) may be part of one.
 */
import type { ServingSpec } from '../types';

/** What the pod does; the API and the batch worker share a name but not a component. */
export type Component = 'server' | 'worker';

/** A valid label value: at most 63 characters of `[A-Za-z0-9._-]`, starting and ending alphanumeric. */
export function labelValue(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/** The labels that pick this service's pods; the Service, the PDB and the Deployment agree on them. */
export function selectorLabels(spec: ServingSpec): Record<string, string> {
  return {
    'app.kubernetes.io/name': spec.name,
    'app.kubernetes.io/instance': spec.name,
  };
}

/** Every label an object of this service carries. */
export function standardLabels(spec: ServingSpec, component: Component = 'server'): Record<string, string> {
  return {
    ...selectorLabels(spec),
    'app.kubernetes.io/version': labelValue(spec.version) || 'unversioned',
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': spec.name,
    'app.kubernetes.io/managed-by': 'modelship',
  };
}
