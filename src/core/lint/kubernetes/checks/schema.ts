/**
 * MS-K8S001: the Kubernetes schema of each object's kind. Types, required fields and enums come
 * from kubernetes-models' compiled validators (loaded once by `prepareSchemas`, then synchronous);
 * unknown fields from the generated field table, since those validators accept any extra key.
 */
import type { ManifestAnalysis, ObjectView } from '../analysis';
import { locate, type Path } from '../locate';
import { isObj } from '../objects';
import { K8S } from '../rules';
import { FIELDS, ROOTS, VALIDATORS, type CompiledValidator } from '../schemaTable';

const loaded = new Map<string, CompiledValidator>();
let loading: Promise<void> | undefined;

/** Loads every validator (about 100 ms, once per process). Safe to call repeatedly. */
export function prepareSchemas(): Promise<void> {
  loading ??= Promise.all(Object.entries(VALIDATORS).map(async ([key, load]) => {
    loaded.set(key, (await load()).validate);
  })).then(() => undefined, (error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

export function schemasReady(): boolean {
  return loaded.size === Object.keys(VALIDATORS).length;
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: { missingProperty?: string; type?: string; allowedValues?: unknown[]; format?: string };
}

const decode = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

function toPath(instancePath: string, object: unknown): Path {
  if (!instancePath) return [];
  const path: (string | number)[] = [];
  let cur: unknown = object;
  for (const raw of instancePath.slice(1).split('/')) {
    const step = decode(raw);
    const index = Array.isArray(cur) && /^\d+$/.test(step) ? Number(step) : step;
    path.push(index);
    cur = Array.isArray(cur) ? cur[index as number] : isObj(cur) ? cur[step] : undefined;
  }
  return path;
}

/** `spec.template.spec.containers[0].image`. */
export function dotted(path: Path): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : /^[\w-]+$/.test(s) ? `${i > 0 ? '.' : ''}${s}` : `[${JSON.stringify(s)}]`)).join('') || '(root)';
}

/** `CoreV1Container` → `Container`. */
const typeName = (t: string) => t.replace(/^[A-Z][a-z]+(?:[A-Z][a-z]+)*?V\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])/, '');

function valueAt(object: unknown, path: Path): unknown {
  let cur = object;
  for (const s of path) cur = Array.isArray(cur) ? cur[s as number] : isObj(cur) ? cur[s as string] : undefined;
  return cur;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${String(value)}`;
}

const TYPE_NAMES: Record<string, string> = { integer: 'an integer', string: 'a string', boolean: 'a boolean', object: 'a map', array: 'a list', number: 'a number' };

function reportErrors(a: ManifestAnalysis, view: ObjectView, errors: AjvError[]): void {
  const byPath = new Map<string, AjvError[]>();
  for (const e of errors) {
    if (e.keyword === 'required' && view.patch) continue;
    const key = e.keyword === 'required' ? `${e.instancePath}/${e.params.missingProperty}` : e.instancePath;
    byPath.set(key, [...(byPath.get(key) ?? []), e]);
  }
  const edits = a.edits(view);
  for (const group of byPath.values()) {
    const first = group[0]!;
    const path = toPath(first.instancePath, view.object);
    const value = valueAt(view.object, path);
    const where = `\`${dotted(path)}\``;
    const formats = group.map((e) => e.params.format).filter(Boolean);
    const types = [...new Set(group.filter((e) => e.keyword === 'type').map((e) => e.params.type))];
    if (first.keyword === 'required') {
      const missing = first.params.missingProperty!;
      a.report(K8S.schema, view, path, `${view.kind} needs \`${dotted([...path, missing])}\`: add it (the API server rejects the object without it).`, { part: 'key' });
    } else if (formats.includes('quantity')) {
      a.report(K8S.schema, view, path, `${where} is ${describe(value)}, not a Kubernetes quantity: write a number with an optional suffix, such as 500m, 2, 512Mi or 4Gi.`);
    } else if (group.some((e) => e.keyword === 'enum')) {
      const allowed = group.find((e) => e.keyword === 'enum')!.params.allowedValues ?? [];
      a.report(K8S.schema, view, path, `${where} is ${describe(value)}; it must be one of ${allowed.map((v) => `\`${String(v)}\``).join(', ')}.`);
    } else if (types.length > 0) {
      const wanted = types.map((t) => TYPE_NAMES[t ?? ''] ?? `a ${t}`).join(' or ');
      let fix;
      if (types.includes('string') && (typeof value === 'number' || typeof value === 'boolean')) {
        const node = view.local ? locate(view.local.ast, path) : undefined;
        const range = node && node.depth === path.length ? node.node?.range : undefined;
        const source = JSON.stringify(range ? a.parsed.text.slice(range[0], range[1]) : String(value));
        fix = a.fix(`Quote ${source}`, edits?.replaceScalar(path, source));
      } else if (types.includes('integer') && typeof value === 'string' && /^-?\d+$/.test(value.trim())) {
        fix = a.fix(`Write ${value.trim()} as a number`, edits?.replaceScalar(path, value.trim()));
      }
      const hint = typeof value === 'number' || typeof value === 'boolean' ? ' (quote it: YAML reads it as a number or boolean)' : '';
      a.report(K8S.schema, view, path, `${where} must be ${wanted}, not ${describe(value)}${hint}.`, { fixes: [fix] });
    } else if (formats.length > 0) {
      a.report(K8S.schema, view, path, `${where} is ${describe(value)}, which is not a valid ${formats[0]}.`);
    } else {
      a.report(K8S.schema, view, path, `${where} does not match the ${view.kind} schema (${first.keyword}).`);
    }
  }
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function closest(key: string, fields: string[]): string | undefined {
  const lower = key.toLowerCase();
  const exact = fields.find((f) => f.toLowerCase() === lower);
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.floor(key.length / 3));
  for (const f of fields) {
    const d = distance(lower, f.toLowerCase());
    if (d <= bestDistance) {
      best = d < bestDistance || !best ? f : best;
      bestDistance = d;
    }
  }
  return best;
}

function unknownFields(a: ManifestAnalysis, view: ObjectView, root: string): void {
  const edits = a.edits(view);
  const path: (string | number)[] = [];
  const walk = (value: unknown, type: string): void => {
    if (path.length > 40) return;
    const fields = FIELDS[type];
    if (!fields || !isObj(value)) return;
    for (const key in value) {
      const child = value[key];
      const childType = Object.hasOwn(fields, key) ? fields[key]! : undefined;
      if (childType === undefined) {
        const known = Object.keys(fields);
        const guess = closest(key, known);
        const where = path.length > 0 ? ` in \`${dotted(path)}\`` : '';
        const fix = guess ? a.fix(`Rename to ${guess}`, edits?.renameKey([...path, key], guess)) : undefined;
        const advice = guess ? `did you mean \`${guess}\`?` : `check its spelling and level (${typeName(type)} has ${known.slice(0, 8).map((k) => `\`${k}\``).join(', ')}${known.length > 8 ? '…' : ''}).`;
        a.report(K8S.schema, view, [...path, key], `\`${key}\` is not a field of ${typeName(type)}${where}: kubectl rejects it, or the server drops it; ${advice}`, { part: 'key', fixes: [fix] });
        continue;
      }
      if (!childType) continue;
      path.push(key);
      if (childType.charCodeAt(0) === 91 /* [ */) {
        if (Array.isArray(child)) {
          const item = childType.slice(1);
          for (let i = 0; i < child.length; i++) {
            path.push(i);
            walk(child[i], item);
            path.pop();
          }
        }
      } else walk(child, childType);
      path.pop();
    }
  };
  walk(view.object, root);
}

export function checkSchema(a: ManifestAnalysis): void {
  for (const view of a.local) {
    const key = `${view.apiVersion}/${view.kind}`;
    const root = ROOTS[key];
    if (!root) continue;
    const validate = loaded.get(key);
    if (validate && !validate(view.object)) reportErrors(a, view, (validate.errors as AjvError[] | null | undefined) ?? []);
    unknownFields(a, view, root);
  }
}
