/**
 * The environments file, `deploy/environments.yaml`: where each of dev, staging and prod deploys
 * (kube context, namespace, overlay or chart, registry, pull secret, timeout). It is a small file a
 * person reads and edits, so:
 * - parsing never throws, whatever the text; every problem carries the file, a 1-based line and
 *   what to do, and a bad field is dropped (its default applies) rather than failing the file;
 * - rewriting goes through yaml's Document API, so a person's comments, order and spacing survive
 *   a "remember the context" write;
 * - a missing `context` is kept missing: the edge decides (the editor asks, the CLI uses the
 *   kubeconfig's current context), and `resolveTarget` records which happened.
 * The top-level keys are the environment names; no other top-level key is allowed.
 */
import { posix } from 'path';
import type { Document, Node as YamlNode } from 'yaml';
import { loadYaml } from '../lazyLibraries';
import { ModelshipError } from '../errors';
import type { Problem } from '../detect/types';
import { DEFAULT_ENVIRONMENT, ENVIRONMENTS, namespaceFor, type Environment } from '../scaffold/k8s/environments';
import { yamlText } from '../scaffold/k8s/yamlText';
import type { ServingSpec } from '../scaffold/types';

/** Where the environments file lives, project-relative. */
export const ENVIRONMENTS_FILE = 'deploy/environments.yaml';
/** The rollout timeout when neither the file, a flag nor the Deployment's startup budget says. */
export const DEFAULT_TIMEOUT_SECONDS = 300;
const MAX_TIMEOUT_SECONDS = 24 * 3600;

/** One environment as the file states it; every field is optional in the file. */
export interface EnvironmentEntry {
  /** Kubeconfig context; unset means the editor asks and the CLI uses the current context. */
  context?: string;
  /** DNS-1123 label. */
  namespace?: string;
  /** Project-relative kustomize overlay folder; default `deploy/k8s/overlays/<env>`. */
  overlay?: string;
  /** Push destination for the image (`localhost:5000`, `ghcr.io/acme`). */
  registry?: string;
  /** Name of a docker-registry Secret in the namespace, for pulling the image. */
  pullSecret?: string;
  /** Rollout timeout; unset means derived from the Deployment's startup budget. */
  timeoutSeconds?: number;
  /** Project-relative Helm chart folder; when set, Helm renders instead of kustomize. */
  chart?: string;
}

/** The file's environments, keyed by name; an environment the file leaves out is absent. */
export type EnvironmentsConfig = Partial<Record<Environment, EnvironmentEntry>>;
export type EnvironmentKey = keyof EnvironmentEntry;

export interface ParsedEnvironments {
  environments: EnvironmentsConfig;
  /** `code` is one of `yaml-syntax`, `not-a-map`, `unknown-environment`, `unknown-key`, `wrong-type`, `invalid-value`. */
  problems: Problem[];
}

const KEYS: readonly EnvironmentKey[] = ['context', 'namespace', 'overlay', 'registry', 'pullSecret', 'timeoutSeconds', 'chart'];

/** The overlay `containerize` generates for an environment. */
export function overlayFor(env: Environment): string {
  return `deploy/k8s/overlays/${env}`;
}

/** What `containerize` generated: one entry per environment, namespace `<name>-<env>`, its overlay. */
export function defaultEnvironments(spec: Pick<ServingSpec, 'name'>): Record<Environment, EnvironmentEntry> {
  // namespaceFor reads only the name; a first deploy may know the name without the full spec.
  const entries = ENVIRONMENTS.map((env) => [env, { namespace: namespaceFor(spec as ServingSpec, env), overlay: overlayFor(env) }] as const);
  return Object.fromEntries(entries) as Record<Environment, EnvironmentEntry>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `value` is not acceptable for `key` (a sentence saying what to write), or undefined. */
export function checkEnvironmentValue(key: EnvironmentKey, value: unknown): string | undefined {
  if (key === 'timeoutSeconds') {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_SECONDS) {
      return `timeoutSeconds must be a whole number of seconds between 1 and ${MAX_TIMEOUT_SECONDS} (e.g. 600), not ${JSON.stringify(value)}.`;
    }
    return undefined;
  }
  if (typeof value !== 'string') return `${key} must be text; quote it (${key}: "${String(value)}").`;
  if (value.trim() === '') return `${key} is empty; remove the line or give it a value.`;
  switch (key) {
    case 'namespace':
      return DNS_LABEL.test(value) && value.length <= 63 ? undefined : `namespace "${value}" is not a valid namespace: use at most 63 lower-case letters, digits and dashes, starting and ending with a letter or digit.`;
    case 'pullSecret':
      return DNS_SUBDOMAIN.test(value) && value.length <= 253 ? undefined : `pullSecret "${value}" is not a valid Secret name: use lower-case letters, digits, dashes and dots.`;
    case 'registry':
      return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /\s/.test(value) ? `registry "${value}" must be host[:port][/path], without a scheme or spaces (e.g. localhost:5000).` : undefined;
    case 'overlay':
    case 'chart':
      return value.startsWith('/') || value.includes('\\') || posix.normalize(value).split('/')[0] === '..' ? `${key} "${value}" must be a folder inside the project, written with forward slashes relative to its root.` : undefined;
    default:
      return undefined;
  }
}

/** The closest name in `known` to a mistyped `name`: same letters ignoring case and separators, a shared stem, or one or two edits. */
function suggestion(name: string, known: readonly string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const wanted = squash(name);
  const edits = (a: string, b: string): number => {
    let previous = [...Array(b.length + 1).keys()];
    for (const [i, ca] of [...a].entries()) {
      const current = [i + 1];
      for (const [j, cb] of [...b].entries()) current.push(Math.min(previous[j + 1]! + 1, current[j]! + 1, previous[j]! + (ca === cb ? 0 : 1)));
      previous = current;
    }
    return previous[b.length]!;
  };
  const scored = known.map((k) => ({ k, score: squash(k) === wanted ? 0 : wanted.startsWith(squash(k)) || squash(k).startsWith(wanted) ? 1 : edits(wanted, squash(k)) }));
  const best = scored.sort((a, b) => a.score - b.score)[0];
  return best && best.score <= Math.max(1, Math.min(2, Math.floor(wanted.length / 3))) ? best.k : undefined;
}

function lineOf(node: YamlNode | null | undefined, lines: import('yaml').LineCounter): number {
  return node?.range ? lines.linePos(node.range[0]).line : 1;
}

function problem(file: string, line: number, code: string, message: string, fix?: string): Problem {
  return { path: file, line, code, message, severity: 'error', ...(fix ? { fix } : {}) };
}

/** The environments and every problem in `text`, the contents of `file`. Never throws. */
export function parseEnvironments(text: string, file: string = ENVIRONMENTS_FILE): ParsedEnvironments {
  const { parseDocument, LineCounter, isMap, isScalar } = loadYaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  const problems: Problem[] = doc.errors.map((e) => problem(file, e.linePos?.[0].line ?? 1, 'yaml-syntax', `${e.message.split('\n')[0]}`, 'Fix the YAML syntax; the file maps dev, staging and prod to their settings.'));
  const environments: EnvironmentsConfig = {};
  if (problems.length > 0 || doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return { environments, problems };
  if (!isMap(doc.contents)) {
    return { environments, problems: [problem(file, lineOf(doc.contents, lines), 'not-a-map', `${file} must map environment names (dev, staging, prod) to their settings.`, 'Start each environment at the left margin, e.g. `staging:` then indented `namespace: iris-staging`.')] };
  }
  for (const pair of doc.contents.items) {
    const keyNode = pair.key as YamlNode | null;
    const name = isScalar(keyNode) ? String(keyNode.value) : '';
    if (!(ENVIRONMENTS as readonly string[]).includes(name)) {
      const guess = suggestion(name, ENVIRONMENTS);
      problems.push(problem(file, lineOf(keyNode, lines), 'unknown-environment', `"${name}" is not an environment Modelship knows.`, guess ? `Did you mean \`${guess}\`? The environments are dev, staging and prod.` : 'Use dev, staging or prod.'));
      continue;
    }
    const env = name as Environment;
    const body = pair.value as YamlNode | null;
    const entry: EnvironmentEntry = {};
    environments[env] = entry;
    if (body === null || (isScalar(body) && body.value === null)) continue;
    if (!isMap(body)) {
      problems.push(problem(file, lineOf(body, lines), 'not-a-map', `${env} must hold its settings (namespace, context, …) as indented keys.`, `Write \`${env}:\` on its own line and its settings indented below it.`));
      continue;
    }
    for (const field of body.items) {
      const fieldKey = field.key as YamlNode | null;
      const key = isScalar(fieldKey) ? String(fieldKey.value) : '';
      const valueNode = field.value as YamlNode | null;
      if (!(KEYS as readonly string[]).includes(key)) {
        const guess = suggestion(key, KEYS);
        problems.push(problem(file, lineOf(fieldKey, lines), 'unknown-key', `${env} has an unknown setting "${key}".`, guess ? `Did you mean \`${guess}\`?` : `The settings are ${KEYS.join(', ')}.`));
        continue;
      }
      if (valueNode === null || (isScalar(valueNode) && valueNode.value === null)) continue;
      const value: unknown = isScalar(valueNode) ? valueNode.value : undefined;
      const why = isScalar(valueNode) ? checkEnvironmentValue(key as EnvironmentKey, value) : `${key} must be a single value, not a list or a map.`;
      if (why) {
        const wrongType = !isScalar(valueNode) || typeof value !== (key === 'timeoutSeconds' ? 'number' : 'string');
        problems.push(problem(file, lineOf(valueNode, lines), wrongType ? 'wrong-type' : 'invalid-value', `${env}: ${why}`, 'Fix the value, or remove the line to use the default.'));
        continue;
      }
      (entry as Record<string, unknown>)[key] = key === 'overlay' || key === 'chart' ? posix.normalize(value as string).replace(/\/+$/, '') : value;
    }
  }
  return { environments, problems };
}

const HEADER = `Where \`modelship deploy --env <name>\` sends this project (default: ${DEFAULT_ENVIRONMENT}). Edit freely; comments are kept.
  context         kubeconfig context; leave it out and the editor asks, the CLI uses the current context
  namespace       namespace to deploy into (created if missing)
  overlay         kustomize overlay folder, relative to the project root
  registry        where the image is pushed (e.g. localhost:5000); the cluster's nodes must reach it
  pullSecret      docker-registry Secret in the namespace used to pull the image (optional)
  timeoutSeconds  how long to wait for the rollout (default: from the Deployment's startup budget)
  chart           Helm chart folder; when set, Helm renders instead of kustomize
CLI flags (--context, --namespace, --registry, --timeout) override these values. prod needs --yes.`;

/** The text `containerize` or the first deploy writes: a header explaining each key, then the environments in order. */
export function renderEnvironmentsFile(envs: EnvironmentsConfig): string {
  const value: Record<string, Record<string, unknown>> = {};
  for (const env of ENVIRONMENTS) {
    const entry = envs[env];
    if (!entry) continue;
    value[env] = Object.fromEntries(KEYS.filter((k) => entry[k] !== undefined).map((k) => [k, entry[k]]));
  }
  return yamlText({ value, comment: HEADER, version: '1.2' });
}

/**
 * `text` with `env.key` set to `value` (or removed, for undefined), every comment and other line
 * kept. Throws an `ENVIRONMENTS_INVALID` ModelshipError when the value is invalid or the text is not
 * YAML the file could hold; parse first to show the file's problems.
 */
export function setEnvironmentField(text: string, env: Environment, key: EnvironmentKey, value: string | number | undefined): string {
  const { parseDocument, isMap, isScalar } = loadYaml();
  const why = value === undefined ? undefined : checkEnvironmentValue(key, value);
  if (why) throw new ModelshipError('ENVIRONMENTS_INVALID', why);
  const doc: Document = parseDocument(text);
  if (doc.errors.length > 0) throw new ModelshipError('ENVIRONMENTS_INVALID', `${ENVIRONMENTS_FILE} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const empty = doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null);
  if (!empty && !isMap(doc.contents)) throw new ModelshipError('ENVIRONMENTS_INVALID', `${ENVIRONMENTS_FILE} must map environment names to their settings.`);
  if (empty && value !== undefined) doc.contents = doc.createNode({}) as typeof doc.contents;
  if (value === undefined) {
    if (isMap(doc.getIn([env], true))) doc.deleteIn([env, key]);
    return doc.toString();
  }
  const body = doc.getIn([env], true);
  if (!isMap(body)) {
    doc.setIn([env], doc.createNode({ [key]: value }));
  } else {
    body.flow = false;
    doc.setIn([env, key], value);
  }
  return doc.toString();
}
