// What the manifest linter cannot check is a finding (MS-K8S027), never a pass and never a fake
// syntax error: nesting past the limit (found before the recursive parser runs), the parser running
// out of stack anyway, and a rule that throws. The guarded entry (`lintManifests`) is what every
// caller uses, so that is what these tests call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProjectDescription } from '../../../src/core/detect/types';
import { K8S, prepareManifestLinter } from '../../../src/core/lint/kubernetes';
import { loadYaml } from '../../../src/core/lazyLibraries';
import { MAX_YAML_NESTING, yamlNesting } from '../../../src/core/yamlNesting';
import { ids, lint, only, slice } from './kubernetes.support';

const HPA = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: 6
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
`;

/** The HPA, then `levels` lines each indented one step deeper than the last, then a line back at the left margin. */
function indentedHpa(levels: number): string {
  const lines = Array.from({ length: levels }, (_, i) => `${' '.repeat(10 + 2 * i)}k${i}:`);
  return `${HPA}${lines.join('\n')}\nbehavior: {}\n`;
}

test('prepare the schema validators', async () => {
  await prepareManifestLinter();
});

test('a manifest nested past the limit is one MS-K8S027 finding on the line that passes it, not a syntax error', async () => {
  const text = indentedHpa(400);
  const findings = await lint(text);
  assert.deepEqual(ids(findings), [K8S.notChecked]);
  const [deep] = findings;
  // k0 is one more key of the HPA's deepest map; each later line nests one level deeper, so the
  // line that reaches MAX + 1 levels is that many lines after k0, less the HPA's own depth.
  const k0 = text.split('\n').findIndex((l) => /^ +k0:$/.test(l));
  assert.equal(deep!.range.start.line, k0 + MAX_YAML_NESTING + 1 - yamlNesting(HPA).depth);
  assert.match(slice(text, deep!.range), /^k\d+:$/);
  assert.match(deep!.message, /^Nested more than 200 levels deep here, too deep to check, so nothing in this file was checked\./);
  assert.equal(deep!.severity, 'error');
});

test('nesting that overflowed the parser\'s stack (it threw, and the lint passed) is now a finding', async () => {
  // 4,000 compact sequences closed by one line at the margin: the parser recursed once per level on
  // the way out and threw RangeError; the guarded entry swallowed it and reported nothing.
  const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: |\n    b\nlist:\n${'- '.repeat(4000)}x\ny: 1\n`;
  assert.throws(() => loadYaml().parseAllDocuments(text), RangeError, 'the yaml package still overflows on this input');
  const findings = await lint(text);
  assert.deepEqual(ids(findings), [K8S.notChecked]);
  assert.equal(findings[0]!.range.start.line, 8);
});

test('deep flow nesting is too deep to check, never "Maximum call stack size exceeded" as a syntax error', async () => {
  for (const depth of [201, 1000, 5000]) {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    const findings = await lint(text);
    assert.deepEqual(ids(findings), [K8S.notChecked], `${depth} levels`);
    assert.equal(findings[0]!.range.start.line, 4);
    assert.ok(!findings.some((f) => /call stack/.test(f.message)));
  }
  // Just under the limit it is checked like any manifest: the schema rule reports the list where a string belongs.
  const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: ${'['.repeat(150)}${']'.repeat(150)}\n`;
  assert.deepEqual(ids(await lint(text)), [K8S.schema]);
});

test('the parser running out of stack all the same is reported where the file nests deepest, not swallowed', async (t) => {
  const yaml = loadYaml();
  const original = yaml.parseAllDocuments;
  t.after(() => {
    yaml.parseAllDocuments = original;
  });
  yaml.parseAllDocuments = () => {
    throw new RangeError('Maximum call stack size exceeded');
  };
  const findings = await lint(HPA);
  assert.deepEqual(ids(findings), [K8S.notChecked]);
  assert.match(findings[0]!.message, /ran out of stack/);
  assert.equal(findings[0]!.range.start.line, HPA.slice(0, yamlNesting(HPA).offset).split('\n').length - 1);
  // The parser catching its own overflow reports it as an error of the document: that is not a syntax error either.
  yaml.parseAllDocuments = ((text: string, options: object) => {
    const docs = original(text, options) as unknown as { errors: unknown[] }[];
    docs[0]!.errors.push(new yaml.YAMLParseError([60, 61], 'BAD_INDENT', 'Maximum call stack size exceeded'));
    return docs;
  }) as typeof original;
  const reported = await lint(HPA);
  assert.deepEqual(ids(reported), [K8S.notChecked]);
  assert.equal(reported[0]!.range.start.line, 2);
});

test('a rule that throws is an MS-K8S027 finding, and the other rules still report', async () => {
  const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app.kubernetes.io/managed-by: modelship}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: server
          image: web:latest
          env:
            - {name: MODEL_PATH, value: /models/model.joblib}
`;
  const project = { get models(): never { throw new TypeError('models is not iterable'); } } as unknown as ProjectDescription;
  const findings = await lint(deployment, { project });
  const failed = only(findings, K8S.notChecked);
  assert.ok(failed.length > 0, 'the failing rule is reported');
  assert.match(failed[0]!.message, /could not check this file in full: the rule check \w+ failed \(TypeError: models is not iterable\)/);
  assert.ok(only(findings, K8S.imageTag).length > 0, 'the other rules still ran');
});

test('the nesting scan counts what the parser nests, and skips what is text', () => {
  assert.equal(yamlNesting('a: 1\n').depth, 1);
  assert.equal(yamlNesting('a:\n  b:\n    - c: [1, {d: 2}]\n').depth, 6);
  assert.equal(yamlNesting(`a: |\n  ${'['.repeat(500)}\nb: "${'{'.repeat(500)}"\n# ${'['.repeat(500)}\n`).depth, 1);
  assert.equal(yamlNesting('a:\n  b: 1\n---\nc: 1\n').depth, 2);
  assert.equal(yamlNesting(`${'- '.repeat(300)}x\n`).exceeded, true);
});
