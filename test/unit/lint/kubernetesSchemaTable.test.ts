// The field table behind MS-K8S001's unknown-field check is generated from kubernetes-models'
// type declarations (the same OpenAPI the validators were compiled from). This test regenerates it
// and fails when the committed file differs, i.e. after a kubernetes-models upgrade.
// To update: MODELSHIP_UPDATE_SCHEMA_TABLE=1 node --require ./scripts/registerTextLoader.cjs --import tsx --test test/unit/lint/kubernetesSchemaTable.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '../../..');
const MODELS = join(ROOT, 'node_modules/kubernetes-models');
const TABLE = join(ROOT, 'src/core/lint/kubernetes/schemaTable.ts');

/** apiVersion, kind and declaration file (under kubernetes-models) of every kind the linter validates. */
const KINDS: [string, string, string][] = [
  ['v1', 'Pod', 'v1/Pod'],
  ['v1', 'Service', 'v1/Service'],
  ['v1', 'ConfigMap', 'v1/ConfigMap'],
  ['v1', 'Secret', 'v1/Secret'],
  ['v1', 'Namespace', 'v1/Namespace'],
  ['v1', 'ServiceAccount', 'v1/ServiceAccount'],
  ['v1', 'PersistentVolumeClaim', 'v1/PersistentVolumeClaim'],
  ['v1', 'LimitRange', 'v1/LimitRange'],
  ['v1', 'ResourceQuota', 'v1/ResourceQuota'],
  ['apps/v1', 'Deployment', 'apps/v1/Deployment'],
  ['apps/v1', 'StatefulSet', 'apps/v1/StatefulSet'],
  ['apps/v1', 'DaemonSet', 'apps/v1/DaemonSet'],
  ['apps/v1', 'ReplicaSet', 'apps/v1/ReplicaSet'],
  ['batch/v1', 'Job', 'batch/v1/Job'],
  ['batch/v1', 'CronJob', 'batch/v1/CronJob'],
  ['batch/v1beta1', 'CronJob', 'batch/v1beta1/CronJob'],
  ['autoscaling/v1', 'HorizontalPodAutoscaler', 'autoscaling/v1/HorizontalPodAutoscaler'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', 'autoscaling/v2/HorizontalPodAutoscaler'],
  ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', 'autoscaling/v2beta2/HorizontalPodAutoscaler'],
  ['autoscaling/v2beta1', 'HorizontalPodAutoscaler', 'autoscaling/v2beta1/HorizontalPodAutoscaler'],
  ['policy/v1', 'PodDisruptionBudget', 'policy/v1/PodDisruptionBudget'],
  ['policy/v1beta1', 'PodDisruptionBudget', 'policy/v1beta1/PodDisruptionBudget'],
  ['networking.k8s.io/v1', 'Ingress', 'networking.k8s.io/v1/Ingress'],
  ['networking.k8s.io/v1', 'IngressClass', 'networking.k8s.io/v1/IngressClass'],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'networking.k8s.io/v1/NetworkPolicy'],
  ['rbac.authorization.k8s.io/v1', 'Role', 'rbac.authorization.k8s.io/v1/Role'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'rbac.authorization.k8s.io/v1/ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'rbac.authorization.k8s.io/v1/RoleBinding'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'rbac.authorization.k8s.io/v1/ClusterRoleBinding'],
  ['scheduling.k8s.io/v1', 'PriorityClass', 'scheduling.k8s.io/v1/PriorityClass'],
];

/** `IIoK8sApiCoreV1Container` → `CoreV1Container`. */
function shortName(alias: string): string {
  return alias.replace(/^IIoK8sApimachineryPkgApis/, '').replace(/^IIoK8sApimachineryPkg/, '').replace(/^IIoK8sApi/, '');
}

interface Declaration {
  file: string;
  text: string;
}

function read(file: string): Declaration {
  return { file, text: readFileSync(file, 'utf8') };
}

/** The declaration file an imported alias comes from. */
function importedFile(decl: Declaration, alias: string): string {
  const match = new RegExp(`import \\{ ${alias} \\} from "([^"]+)"`).exec(decl.text);
  if (!match) throw new Error(`${decl.file}: no import of ${alias}`);
  const spec = match[1]!.replace(/\.js$/, '');
  if (spec.startsWith('.')) return join(dirname(decl.file), `${spec}.d.ts`);
  return join(ROOT, 'node_modules', `${spec}.d.ts`);
}

/** The interface's fields: name → type text (first line); undefined when the file declares no object type. */
function interfaceFields(decl: Declaration): Map<string, string> | undefined {
  const start = /^export interface I\w+(?: extends \w+)? \{$/m.exec(decl.text);
  if (!start) return undefined;
  const body = decl.text.slice(start.index + start[0].length, decl.text.indexOf('\n}', start.index));
  if (/^ {4}\[key: string\]/m.test(body)) return undefined;
  const fields = new Map<string, string>();
  for (const match of body.matchAll(/^ {4}"([^"]+)"\??: (.*)$/gm)) fields.set(match[1]!, match[2]!.replace(/;$/, ''));
  return fields.size > 0 ? fields : undefined;
}

function generate(): { fields: Map<string, Record<string, string>>; roots: [string, string, string][] } {
  const fields = new Map<string, Record<string, string>>();
  const visit = (decl: Declaration, name: string): string => {
    if (fields.has(name)) return name;
    const own = interfaceFields(decl);
    if (!own) return '';
    const entry: Record<string, string> = {};
    fields.set(name, entry);
    for (const [field, type] of [...own].sort(([a], [b]) => a.localeCompare(b))) {
      const array = /^Array<(IIoK8s\w+)>$/.exec(type);
      const single = /^(IIoK8s\w+)$/.exec(type);
      const alias = array?.[1] ?? single?.[1];
      // Status is written by controllers, not by manifests: its subtree stays free-form.
      if (!alias || field === 'status') {
        entry[field] = '';
        continue;
      }
      const child = visit(read(importedFile(decl, alias)), shortName(alias));
      entry[field] = child && array ? `[${child}` : child;
    }
    return name;
  };
  const roots: [string, string, string][] = [];
  for (const [apiVersion, kind, path] of KINDS) {
    const decl = read(join(MODELS, `${path}.d.ts`));
    const alias = /export type \{ I\w+ as (IIoK8s\w+),/.exec(decl.text)?.[1];
    if (!alias) throw new Error(`${path}: no exported alias`);
    const schema = alias.slice(1);
    if (!existsSync(join(MODELS, '_schemas', `${schema}.js`))) throw new Error(`${path}: no compiled schema ${schema}`);
    roots.push([`${apiVersion}/${kind}`, visit(decl, shortName(alias)), schema]);
  }
  return { fields, roots };
}

function render(): string {
  const { fields, roots } = generate();
  const version = (JSON.parse(readFileSync(join(MODELS, 'package.json'), 'utf8')) as { version: string }).version;
  const quote = (s: string) => (/^[A-Za-z_$][\w$]*$/.test(s) ? s : `'${s}'`);
  const lines = [
    '/**',
    ` * GENERATED from kubernetes-models ${version} by test/unit/lint/kubernetesSchemaTable.test.ts; do not edit.`,
    ' * Regenerate with MODELSHIP_UPDATE_SCHEMA_TABLE=1 (see that test).',
    ' *',
    ' * FIELDS lists every field of each object type reachable from the validated kinds: `\'\'` is a',
    ' * scalar or a free-form map (labels, resource quantities), `T` an object of type T, `[T` a list of T.',
    ' * VALIDATORS load the compiled (ajv standalone) validators, one module per kind, on first use.',
    ' */',
    '',
    '/** Object type → field → child type. */',
    'export const FIELDS: Record<string, Record<string, string>> = {',
  ];
  for (const name of [...fields.keys()].sort()) {
    const entries = Object.entries(fields.get(name)!).map(([f, t]) => `${quote(f)}: '${t}'`);
    lines.push(`  ${name}: { ${entries.join(', ')} },`);
  }
  lines.push('};', '', '/** `apiVersion/kind` → the object type at its root. */', 'export const ROOTS: Record<string, string> = {');
  for (const [key, type] of roots) lines.push(`  '${key}': '${type}',`);
  lines.push('};', '', '/** A compiled validator: true when valid; the errors are left on the function (ajv). */');
  lines.push('export type CompiledValidator = ((data: unknown) => boolean) & { errors?: unknown };');
  lines.push('', '/** `apiVersion/kind` → its validator module (bundled; evaluated only when loaded). */');
  lines.push('export const VALIDATORS: Record<string, () => Promise<{ validate: CompiledValidator }>> = {');
  for (const [key, , schema] of roots) lines.push(`  '${key}': () => import('kubernetes-models/_schemas/${schema}'),`);
  lines.push('};', '');
  return lines.join('\n');
}

test('the schema field table matches kubernetes-models (regenerate with MODELSHIP_UPDATE_SCHEMA_TABLE=1)', () => {
  const expected = render();
  if (process.env.MODELSHIP_UPDATE_SCHEMA_TABLE) writeFileSync(TABLE, expected);
  assert.equal(readFileSync(TABLE, 'utf8'), expected);
});
