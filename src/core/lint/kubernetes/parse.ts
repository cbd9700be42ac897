/**
 * Reads a manifest file into its Kubernetes objects, each with its YAML syntax tree for exact
 * ranges. Scalars resolve as kubectl's sigs.k8s.io/yaml (go-yaml v2) resolves them: the YAML 1.2
 * core schema plus YAML 1.1's booleans (yes/no/on/off/y/n) and leading-zero octals, and `<<` merge
 * keys; timestamps stay strings (the yaml package's full 1.1 schema would make them dates).
 *
 * Invariants: never throws; syntax errors become MS-K8S000 findings and their document is not
 * linted further; a file nested too deeply for the parser, or one it runs out of stack on, becomes
 * one MS-K8S027 finding (where and why) and is not linted further, never a syntax error nor nothing;
 * documents without a string apiVersion and kind are not Kubernetes and are skipped; Helm templates
 * (`{{`) are skipped whole.
 */
import type { Document, Node, ScalarTag } from 'yaml';
import { loadYaml } from '../../lazyLibraries';
import type { Finding } from '../types';
import { MAX_YAML_NESTING, yamlNesting } from '../../yamlNesting';
import { addDuplicateKeyErrors } from './duplicateKeys';
import { LineIndex, pointerRanges, toRange } from './locate';
import { defaultSeverity, K8S } from './rules';
import type { ParsedManifest } from './types';

/** One Kubernetes object of the file being linted. */
export interface ManifestDocument {
  /** Zero-based index of the YAML document in the file. */
  index: number;
  ast: Document.Parsed;
  object: Record<string, unknown>;
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
}

export interface ParsedManifestFile {
  text: string;
  lines: LineIndex;
  documents: ManifestDocument[];
  /** MS-K8S000 findings. */
  syntax: Finding[];
  /** MS-K8S027 findings: what could not be checked, where and why. */
  unchecked: Finding[];
}

/** YAML 1.1 booleans that the 1.2 core schema reads as strings. */
const YAML11_BOOLEAN: ScalarTag = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  identify: (value) => typeof value === 'boolean',
  test: /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/,
  resolve: (source) => /^(?:y|Y|yes|Yes|YES|on|On|ON)$/.test(source),
};

/** YAML 1.1 octals (`0644`, as in `defaultMode`), which the core schema reads as decimals. */
const YAML11_OCTAL: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  identify: (value) => typeof value === 'number',
  test: /^0[0-7]+$/,
  resolve: (source) => parseInt(source, 8),
};

const customTags = (tags: unknown[]) => [YAML11_OCTAL, YAML11_BOOLEAN, ...tags] as never;
/** Duplicate keys are found by `addDuplicateKeyErrors`, in linear time (the parser's own check is quadratic). */
const PARSE_OPTIONS = { prettyErrors: false, merge: true, customTags, uniqueKeys: false } as const;
const MAX_DEPTH = MAX_YAML_NESTING;

/** Thrown by `plainData` for a document that aliases nest past MAX_DEPTH. */
class TooDeep extends Error {}

/**
 * A document as plain data, like `toJS()` but cheaper (no anchor bookkeeping), with merge keys
 * applied (own keys win, then earlier sources) and aliases expanded at most MAX_ALIASES times.
 */
function plainData(doc: Document.Parsed): unknown {
  const Y = loadYaml();
  let aliases = 0;
  const set = (out: Record<string, unknown>, key: string, value: unknown) => {
    if (key === '__proto__') Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
    else out[key] = value;
  };
  const resolve = (node: unknown): unknown => {
    if (!Y.isAlias(node)) return node;
    if (++aliases > MAX_ALIASES) throw new Error(`More than ${MAX_ALIASES} aliases expanded: the document is an alias bomb, or too clever for a manifest`);
    return node.resolve(doc);
  };
  const convert = (node: unknown, depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new TooDeep(`Nested more than ${MAX_DEPTH} levels deep (counting what aliases repeat)`);
    if (Y.isScalar(node)) return node.value;
    if (Y.isMap(node)) {
      const out: Record<string, unknown> = {};
      let merges: unknown[] | undefined;
      for (const pair of node.items) {
        const key = pair.key;
        if (Y.isScalar(key) && typeof key.value === 'symbol') (merges ??= []).push(pair.value);
        else set(out, Y.isScalar(key) ? String(key.value) : key == null ? '' : JSON.stringify(convert(key, depth + 1)), convert(pair.value, depth + 1));
      }
      for (const merge of merges ?? []) {
        const value = resolve(merge);
        for (const source of Y.isSeq(value) ? value.items : [value]) {
          const map = convert(source, depth + 1);
          if (map && typeof map === 'object' && !Array.isArray(map)) {
            for (const [k, v] of Object.entries(map)) if (!Object.hasOwn(out, k)) set(out, k, v);
          }
        }
      }
      return out;
    }
    if (Y.isSeq(node)) return node.items.map((item) => convert(item, depth + 1));
    if (Y.isAlias(node)) return convert(resolve(node), depth + 1);
    return node ?? null;
  };
  return convert(doc.contents as Node | null, 0);
}

const KUSTOMIZATION_FILE = /(^|\/)kustomization\.ya?ml$|(^|\/)Kustomization$/;
const LOOKS_KUBERNETES = /^\s*(apiVersion|kind)\s*:/m;
const MAX_ALIASES = 100;

export function isKustomizationFile(file: string): boolean {
  return KUSTOMIZATION_FILE.test(file);
}

/** Whether the linter skips `text` entirely: a Helm template. */
export function isTemplate(text: string): boolean {
  return text.includes('{{');
}

const HINTS: Record<string, string> = {
  DUPLICATE_KEY: 'Keys must be unique in a map: remove or rename one of them (kubectl rejects duplicate keys).',
  TAB_AS_INDENT: 'Indent with spaces: YAML does not allow tabs in indentation.',
  BAD_INDENT: 'Align the entries of a map or list at the same indentation.',
  MULTILINE_IMPLICIT_KEY: 'A key must fit on one line; a value that continues on the next line needs more indentation than its key, or quotes.',
  BLOCK_AS_IMPLICIT_KEY: 'A nested map or list must start on the line after its key, indented.',
};

function syntaxFinding(file: string, lc: LineIndex, error: { code: string; message: string; pos: [number, number] }, text: string): Finding {
  const textLength = text.length;
  const [start, end] = error.pos;
  const first = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const hint = HINTS[error.code] ?? 'Fix the YAML syntax: kubectl cannot read this document, so nothing in it is applied.';
  const safeStart = Math.min(Math.max(0, start), textLength);
  let safeEnd = Math.min(Math.max(end, safeStart), textLength);
  // A one-character position (a duplicate key, say) underlines the token it starts.
  if (safeEnd - safeStart <= 1) {
    while (safeEnd < textLength && !/[\s:,[\]{}#]/.test(text[safeEnd]!)) safeEnd++;
    if (safeEnd === safeStart && safeEnd < textLength && text[safeEnd] !== '\n') safeEnd++;
  }
  return {
    ruleId: K8S.syntax,
    severity: defaultSeverity(K8S.syntax),
    message: `${first}. ${hint}`,
    file,
    range: toRange(lc, safeStart, safeEnd),
  };
}

/** An MS-K8S027 finding from `offset` to the end of its line. */
export function uncheckedFinding(file: string, lc: LineIndex, text: string, offset: number, message: string): Finding {
  const start = Math.min(Math.max(0, offset), text.length);
  const newline = text.indexOf('\n', start);
  const end = Math.max(Math.min(start + 1, text.length), newline < 0 ? text.length : newline);
  return { ruleId: K8S.notChecked, severity: defaultSeverity(K8S.notChecked), message, file, range: toRange(lc, start, end) };
}

const TOO_DEEP = `Nested more than ${MAX_YAML_NESTING} levels deep here, too deep to check, so nothing in this file was checked. Real manifests nest a few levels: look for a stray indentation or an unclosed bracket that nests every line below it.`;
const OUT_OF_STACK = 'The YAML parser ran out of stack near here (the file is too large or too deeply nested for it), so nothing in it was checked. Flatten the structure or split the file.';

const isStackOverflow = (error: unknown): boolean => error instanceof RangeError || /Maximum call stack size exceeded/.test(String((error as { message?: unknown } | null)?.message ?? ''));

function objectHead(object: unknown): { apiVersion: string; kind: string; name?: string; namespace?: string } | undefined {
  if (!object || typeof object !== 'object' || Array.isArray(object)) return undefined;
  const o = object as Record<string, unknown>;
  if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') return undefined;
  const meta = o.metadata && typeof o.metadata === 'object' ? (o.metadata as Record<string, unknown>) : {};
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    ...(typeof meta.name === 'string' ? { name: meta.name } : {}),
    ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}),
  };
}

/** The YAML documents of `text`, or 'overflow' when the (recursive) parser runs out of stack. */
function parseAll(text: string): Document.Parsed[] | 'overflow' {
  try {
    const parsed = loadYaml().parseAllDocuments(text, PARSE_OPTIONS);
    const docs = Array.isArray(parsed) ? parsed : [];
    for (const doc of docs) addDuplicateKeyErrors(doc);
    return docs;
  } catch (error) {
    if (isStackOverflow(error)) return 'overflow';
    throw error;
  }
}

/**
 * Parses `text` into its Kubernetes objects; undefined when it is a Helm template, or is not
 * Kubernetes at all (then even its syntax errors are someone else's).
 */
export function parseManifestFile(text: string, file: string): ParsedManifestFile | undefined {
  if (isTemplate(text)) return undefined;
  const kustomization = isKustomizationFile(file);
  const lines = new LineIndex(text);
  const syntax: Finding[] = [];
  const unchecked: Finding[] = [];
  const nesting = yamlNesting(text);
  const notParsed = (finding: Finding): ParsedManifestFile | undefined =>
    kustomization || LOOKS_KUBERNETES.test(text) ? { text, lines, documents: [], syntax, unchecked: [finding] } : undefined;
  if (nesting.exceeded) return notParsed(uncheckedFinding(file, lines, text, nesting.offset, TOO_DEEP));
  const docs = parseAll(text);
  if (docs === 'overflow') return notParsed(uncheckedFinding(file, lines, text, nesting.offset, OUT_OF_STACK));
  const documents: ManifestDocument[] = [];
  docs.forEach((ast, index) => {
    const overflow = ast.errors.find(isStackOverflow);
    if (overflow) {
      unchecked.push(uncheckedFinding(file, lines, text, overflow.pos[0], OUT_OF_STACK));
      return;
    }
    if (ast.errors.length > 0) {
      for (const error of ast.errors) syntax.push(syntaxFinding(file, lines, error, text));
      return;
    }
    let object: unknown;
    try {
      object = plainData(ast);
    } catch (error) {
      const start = ast.range[0];
      if (error instanceof TooDeep) unchecked.push(uncheckedFinding(file, lines, text, start, `${error.message}: too deep to check, so nothing in this document was checked. Anchor a flatter value.`));
      else syntax.push(syntaxFinding(file, lines, { code: 'ALIAS', message: `${(error as Error).message}`, pos: [start, start + 1] }, text));
      return;
    }
    const head = objectHead(object);
    if (head) documents.push({ index, ast, object: object as Record<string, unknown>, ...head });
    else if (kustomization && object && typeof object === 'object' && !Array.isArray(object)) {
      documents.push({ index, ast, object: object as Record<string, unknown>, apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' });
    }
  });
  if (documents.length === 0 && !kustomization && !LOOKS_KUBERNETES.test(text)) return undefined;
  return { text, lines, documents, syntax, unchecked };
}

/**
 * The Kubernetes objects of a file, as plain data, for `ManifestLintContext.otherDocuments`
 * (kustomizations included: they tell which files are patches). Empty for templates and non-manifests.
 */
export function parseManifests(text: string, file: string): ParsedManifest[] {
  const parsed = parseManifestFile(text, file);
  if (!parsed) return [];
  return parsed.documents.map((d) => ({
    file,
    index: d.index,
    apiVersion: d.apiVersion,
    kind: d.kind,
    ...(d.name !== undefined ? { name: d.name } : {}),
    ...(d.namespace !== undefined ? { namespace: d.namespace } : {}),
    object: d.object,
    ranges: pointerRanges(d.ast, parsed.lines, text),
  }));
}
