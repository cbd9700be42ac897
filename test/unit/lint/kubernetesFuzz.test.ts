// Fuzzing with fast-check: arbitrary strings, YAML-token soup, mutated real manifests (every fixture,
// the clean reference, a generated Deployment), and real manifests with random values planted at
// random paths. The unguarded `lintManifestText` runs, so an exception inside any rule fails the
// property instead of being swallowed; every range lies inside the text, every fix applies, and the
// fixed text lints again without throwing. Time is checked as ratios, never as an absolute bound:
// an alias bomb against a plain manifest of the same size (lintFuzz.test.ts times the rest).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseManifests, prepareManifestLinter, type ManifestLintContext } from '../../../src/core/lint/kubernetes';
import { lintManifestText } from '../../../src/core/lint/kubernetes/lint';
import { loadYaml } from '../../../src/core/lazyLibraries';
import { DEFAULT_LINT_SETTINGS, type Finding } from '../../../src/core/lint/types';
import { bestTime } from '../fuzz/fuzzSupport';
import { applyEdits, FIXTURES, ruleFixtures } from './kubernetes.support';

const RUNS = Number(process.env.FUZZ_RUNS ?? 400);

const REAL: string[] = [
  readFileSync(join(FIXTURES, 'clean.yaml'), 'utf8'),
  ...ruleFixtures().flatMap((f) => [f.triggers, f.clean]),
];

const TOKENS = [
  'apiVersion: apps/v1', 'kind: Deployment', 'kind: Service', 'kind: HorizontalPodAutoscaler', 'kind: PodDisruptionBudget', 'apiVersion: v1',
  'metadata:', 'name: x', 'spec:', 'template:', 'containers:', '- name: a', 'image: nginx', 'ports:', '- containerPort: 80', 'targetPort: http',
  'selector:', 'matchLabels:', 'app: x', 'resources:', 'limits:', 'nvidia.com/gpu: 0.5', 'env:', '- name: HF_TOKEN', 'value: x', 'replicas: 2',
  'scaleTargetRef:', 'minAvailable: 3', 'tolerations:', 'volumes:', '---', '...', '- ', ': ', '  ', '\t', '\n', '\r\n', '{', '}', '[', ']', ',',
  '&a', '*a', '<<: *a', '!!str', '!!binary', '|', '>-', '"', "'", '#', '# modelship-ignore MS-K8S003', '%YAML 1.1', '? ', 'null', '~', 'yes', '0x1F',
  '{{ .Values.x }}', '\u0000', '\u2028', '🐳', 'é',
];

const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).chain((parts) =>
  fc.array(fc.constantFrom(' ', '\n', '', '\n  ', '\n    '), { minLength: parts.length, maxLength: parts.length }).map((seps) => parts.map((p, i) => p + seps[i]).join('')));

const charMutation = fc.record({
  base: fc.constantFrom(...REAL),
  edits: fc.array(fc.record({ at: fc.nat(), length: fc.nat({ max: 30 }), insert: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 })) }), { minLength: 1, maxLength: 6 }),
}).map(({ base, edits }) => edits.reduce((text, e) => {
  const at = e.at % (text.length + 1);
  return text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + e.length));
}, base));

const lineMutation = fc.record({ base: fc.constantFrom(...REAL), seed: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }) }).map(({ base, seed }) => {
  const lines = base.split('\n');
  for (const n of seed) {
    const i = n % lines.length;
    const j = (n >> 3) % lines.length;
    switch (n % 5) {
      case 0: lines.splice(i, 1); break;
      case 1: lines.splice(j, 0, lines[i]!); break;
      case 2: [lines[i], lines[j]] = [lines[j]!, lines[i]!]; break;
      case 3: lines[i] = ` ${lines[i]}`; break;
      default: lines[i] = lines[i]!.replace(/^ {2}/, ''); break;
    }
  }
  return lines.join('\n');
});

/** A real manifest with a random JSON value planted at a random path: rules meet every wrong type. */
const planted = fc.record({
  base: fc.constantFrom(...REAL.filter((t) => !t.includes('name: third'))),
  picks: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  values: fc.array(fc.jsonValue({ maxDepth: 3 }), { minLength: 1, maxLength: 4 }),
}).map(({ base, picks, values }) => {
  const docs = loadYaml().parseAllDocuments(base) as unknown as { toJS(): unknown }[];
  const objects = docs.map((d) => d.toJS());
  const paths: { set(v: unknown): void }[] = [];
  const collect = (o: unknown, depth: number) => {
    if (depth > 12 || !o || typeof o !== 'object') return;
    for (const key of Object.keys(o)) {
      paths.push({ set: (v) => { (o as Record<string, unknown>)[key] = v; } });
      collect((o as Record<string, unknown>)[key], depth + 1);
    }
  };
  objects.forEach((o) => collect(o, 0));
  picks.forEach((p, i) => paths[p % Math.max(1, paths.length)]?.set(values[i % values.length]));
  return objects.map((o) => loadYaml().stringify(o)).join('---\n');
});

const contexts: fc.Arbitrary<ManifestLintContext> = fc.record({
  file: fc.constantFrom('deploy/app.yaml', 'deploy/k8s/overlays/prod/deployment-patch.yaml', 'kustomization.yaml', 'a.yml', ''),
  version: fc.constantFrom('1.32', '1.20', '1.16', 'v1.26.3', 'nonsense', ''),
  others: fc.option(fc.constantFrom(...REAL).map((t) => parseManifests(t, 'deploy/other.yaml'))),
}).map(({ file, version, others }) => ({ file, settings: { ...DEFAULT_LINT_SETTINGS, kubernetesVersion: version }, ...(others ? { otherDocuments: others } : {}) }));

function checkWellFormed(text: string, findings: Finding[], ctx: ManifestLintContext): void {
  const lines = text.split('\n');
  for (const f of findings) {
    assert.equal(f.file, ctx.file);
    for (const p of [f.range.start, f.range.end]) {
      assert.ok(p.line >= 0 && p.line < lines.length, `line ${p.line} of ${lines.length}`);
      assert.ok(p.character >= 0 && p.character <= lines[p.line]!.length, `character ${p.character} on line ${p.line}`);
    }
    assert.ok(f.range.end.line > f.range.start.line || (f.range.end.line === f.range.start.line && f.range.end.character >= f.range.start.character));
    for (const fix of f.fixes ?? []) {
      assert.ok(fix.edits.length > 0 && fix.title.length > 0);
      const fixed = applyEdits(text, fix.edits);
      lintManifestText(fixed, ctx);
    }
  }
}

function property(arbitrary: fc.Arbitrary<string>) {
  return fc.property(arbitrary, contexts, (text, ctx) => {
    const findings = lintManifestText(text, ctx);
    checkWellFormed(text, findings, ctx);
  });
}

test('fuzz: prepare the schema validators', async () => {
  await prepareManifestLinter();
});

test('fuzz: arbitrary strings never throw', () => {
  fc.assert(property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 200 }))), { numRuns: RUNS });
});

test('fuzz: YAML token soup never throws', () => {
  fc.assert(property(soup), { numRuns: RUNS });
});

test('fuzz: mutated real manifests never throw; ranges and fixes stay well formed', () => {
  fc.assert(property(fc.oneof(charMutation, lineMutation)), { numRuns: RUNS });
});

test('fuzz: wrong types anywhere in real manifests never throw', () => {
  fc.assert(property(planted), { numRuns: RUNS });
});

test('fuzz: alias bombs and deep nesting are bounded', async () => {
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');
  const deep = `apiVersion: v1\nkind: ConfigMap\ndata: ${'['.repeat(2000)}${']'.repeat(2000)}\n`;
  const ctx = { file: 'x.yaml', settings: DEFAULT_LINT_SETTINGS };
  for (const text of [`apiVersion: v1\nkind: ConfigMap\n${bomb}\n`, deep]) {
    const findings = lintManifestText(text, ctx);
    assert.ok(findings.length > 0, 'reported, not passed');
    checkWellFormed(text, findings, ctx);
    // A plain ConfigMap of the same size, timed in the same run: the bomb may cost a few times more, not orders of magnitude.
    const plain = `apiVersion: v1\nkind: ConfigMap\ndata:\n${Array.from({ length: Math.ceil(text.length / 16) }, (_, i) => `  k${i}: "v"`).join('\n')}\n`.slice(0, text.length + 64);
    const ratio = (await bestTime(() => lintManifestText(text, ctx))) / Math.max(0.5, await bestTime(() => lintManifestText(plain, ctx)));
    assert.ok(ratio < 20, `${ratio.toFixed(1)} times the time of a plain manifest of the same size`);
  }
});
