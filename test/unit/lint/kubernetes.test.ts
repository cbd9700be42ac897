// The manifest linter: every rule against a fixture that triggers it and one that does not, exact
// ranges in multi-document files, fixes applied and re-linted, ignore comments and settings,
// cross-file context, patches, and the files it must leave alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectDescription } from '../../../src/core/detect/types';
import { isManifestLinterReady, K8S, lintManifests, parseManifests, prepareManifestLinter, RULES } from '../../../src/core/lint/kubernetes';
import { ALL_RULES } from '../../../src/core/lint/rules';
import { DEFAULT_LINT_SETTINGS } from '../../../src/core/lint/types';
import { applyEdits, FIXTURES, ids, lint, only, ruleFixtures, slice } from './kubernetes.support';

const CLEAN = readFileSync(join(FIXTURES, 'clean.yaml'), 'utf8');
const rangeOf = (f: { range: { start: { line: number; character: number }; end: { line: number; character: number } } }) =>
  [f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character];

test('before prepareManifestLinter the lint is a promise; after it, synchronous', async () => {
  assert.equal(isManifestLinterReady(), false);
  const pending = lintManifests(CLEAN, { file: 'clean.yaml', settings: DEFAULT_LINT_SETTINGS });
  assert.ok(pending instanceof Promise);
  assert.deepEqual(await pending, []);
  await prepareManifestLinter('1.32');
  const now = lintManifests(CLEAN, { file: 'clean.yaml', settings: DEFAULT_LINT_SETTINGS });
  assert.ok(Array.isArray(now));
  assert.deepEqual(now, []);
});

test('every rule is documented, in the global table, and has a fixture directory', () => {
  const fixtures = ruleFixtures();
  assert.deepEqual(fixtures.map((f) => f.id), RULES.map((r) => r.id));
  for (const rule of RULES) {
    assert.equal(fixtures.find((f) => f.id === rule.id)!.name, rule.name, `${rule.id}: fixture directory named after the rule`);
    assert.ok(ALL_RULES.some((r) => r.id === rule.id), `${rule.id} in ALL_RULES`);
    assert.equal(rule.category, 'kubernetes');
    assert.match(rule.id, /^MS-K8S\d{3}$/);
  }
  assert.deepEqual(Object.values(K8S).sort(), RULES.map((r) => r.id).sort());
});

for (const fixture of ruleFixtures()) {
  const rule = RULES.find((r) => r.id === fixture.id)!;
  const options = { ...(fixture.project ? { project: fixture.project } : {}), ...(fixture.others ? { others: fixture.others } : {}) };

  test(`${fixture.id} ${fixture.name}: triggers.yaml triggers it, clean.yaml does not`, async () => {
    const triggered = only(await lint(fixture.triggers, options), fixture.id);
    assert.ok(triggered.length > 0, `${fixture.id} expected in triggers.yaml`);
    for (const f of triggered) {
      assert.ok(f.message.length > 30 && /[.?]$/.test(f.message), `${fixture.id}: a message that says what to do: ${f.message}`);
      assert.ok(f.range.start.line >= 0 && f.range.end.line >= f.range.start.line, `${fixture.id}: a range`);
      assert.ok(slice(fixture.triggers, f.range).length > 0 || fixture.id === K8S.syntax, `${fixture.id}: a non-empty range`);
      if (f.severity !== rule.defaultSeverity) assert.ok([K8S.probePort, K8S.targetPort, K8S.pullPolicy].includes(f.severity === 'warning' || f.severity === 'info' ? fixture.id as never : '' as never), `${fixture.id}: default severity ${rule.defaultSeverity}, got ${f.severity}`);
    }
    assert.deepEqual(only(await lint(fixture.clean, options), fixture.id), [], `${fixture.id} not expected in clean.yaml`);
  });

  if (rule.fixable) {
    test(`${fixture.id} ${fixture.name}: fixes resolve it and leave valid YAML`, async () => {
      let text = fixture.triggers;
      const before = await lint(text, options);
      assert.ok(only(before, fixture.id).some((f) => f.fixes?.length), `${fixture.id}: at least one fix offered`);
      for (let round = 0; round < 20; round++) {
        const next = only(await lint(text, options), fixture.id).find((f) => f.fixes?.length);
        if (!next) break;
        const fixed = applyEdits(text, next.fixes![0]!.edits);
        assert.notEqual(fixed, text, `${fixture.id}: the fix changes the text`);
        text = fixed;
      }
      const after = await lint(text, options);
      assert.equal(only(after, fixture.id).length, fixture.remainingAfterFixes, `${fixture.id} left after fixes:\n${text}`);
      assert.deepEqual(only(after, K8S.syntax), [], `fixed text parses:\n${text}`);
      assert.ok(only(after, K8S.schema).length <= only(before, K8S.schema).length, `fixes add no schema errors:\n${text}`);
    });
  }
}

test('the reference manifest is clean under every rule', async () => {
  assert.deepEqual(await lint(CLEAN), []);
});

test('exact ranges: a duplicate key in the second document', async () => {
  const text = ruleFixtures().find((f) => f.id === K8S.syntax)!.triggers;
  const [dup] = only(await lint(text), K8S.syntax);
  assert.deepEqual(rangeOf(dup!), [12, 2, 12, 6]);
  assert.equal(slice(text, dup!.range), 'name');
  assert.match(dup!.message, /unique/);
});

test('exact ranges: schema errors point at the value or the key', async () => {
  const text = ruleFixtures().find((f) => f.id === K8S.schema)!.triggers;
  const findings = only(await lint(text), K8S.schema);
  const byText = new Map(findings.map((f) => [slice(text, f.range), f]));
  assert.deepEqual(rangeOf(byText.get('"3"')!), [7, 12, 7, 15]);
  assert.match(byText.get('"3"')!.message, /`spec\.replicas` must be an integer/);
  assert.deepEqual(rangeOf(byText.get('imagePullpolicy')!), [22, 10, 22, 25]);
  assert.match(byText.get('imagePullpolicy')!.message, /did you mean `imagePullPolicy`/);
  assert.equal(byText.get('imagePullpolicy')!.fixes![0]!.edits[0]!.newText, 'imagePullPolicy');
  assert.ok(byText.get('4'), 'env value 4 must be a string');
  assert.equal(byText.get('4')!.fixes![0]!.edits[0]!.newText, '"4"');
});

test('exact ranges: a Service in the second document, with the Deployment\'s ports as related', async () => {
  const text = ruleFixtures().find((f) => f.id === K8S.targetPort)!.triggers;
  const [finding] = only(await lint(text), K8S.targetPort);
  assert.equal(slice(text, finding!.range), 'web');
  assert.deepEqual(rangeOf(finding!), [53, 18, 53, 21]);
  assert.equal(finding!.related?.length, 1);
  assert.equal(finding!.related![0]!.file, 'deploy/app.yaml');
  assert.equal(slice(text, finding!.related![0]!.range), 'ports');
  assert.deepEqual(finding!.fixes![0]!.edits.map((e) => e.newText), ['http']);
});

test('exact ranges: the second of two HPAs and PDBs on removed APIs', async () => {
  const text = ruleFixtures().find((f) => f.id === K8S.apiVersion)!.triggers;
  const findings = only(await lint(text), K8S.apiVersion);
  assert.deepEqual(findings.map((f) => slice(text, f.range)), ['autoscaling/v2beta2', 'policy/v1beta1']);
  assert.deepEqual(findings.map((f) => f.range.start.line), [1, 20]);
  assert.match(findings[0]!.message, /removed in Kubernetes 1\.26 .* 1\.32: use autoscaling\/v2\./);
});

test('exact ranges: a literal secret underlines the value, and the fix never repeats it', async () => {
  const text = ruleFixtures().find((f) => f.id === K8S.literalSecret)!.triggers;
  const findings = only(await lint(text), K8S.literalSecret);
  assert.deepEqual(findings.map((f) => slice(text, f.range)), ['OPENAI_API_KEY', 'hf_abcdefghijklmnop', 'hunter2']);
  for (const f of findings) {
    assert.doesNotMatch(f.message, /hf_abcdefghijklmnop|hunter2|sk-not-a-real-key/);
    for (const fix of f.fixes ?? []) for (const e of fix.edits) assert.doesNotMatch(e.newText, /hf_abc|hunter2/);
  }
  const fixed = applyEdits(text, findings[1]!.fixes![0]!.edits);
  assert.match(fixed, / {12}- name: HF_TOKEN\n {14}valueFrom:\n {16}secretKeyRef:\n {18}name: web-secrets\n {18}key: HF_TOKEN\n/);
});

test('fixes write block YAML at the surrounding indentation', async () => {
  const text = ruleFixtures().find((f) => f.id === K8S.resources)!.triggers;
  const [finding] = only(await lint(text), K8S.resources);
  const fixed = applyEdits(text, finding!.fixes![0]!.edits);
  assert.match(fixed, /\n {10}resources:\n {12}requests:\n {14}cpu: 250m\n {14}memory: 512Mi\n {12}limits:\n {14}memory: 1Gi\n/);
  assert.deepEqual(ids(await lint(fixed)), []);
});

test('resources are sized from the project\'s model when the container serves it', async () => {
  const text = ruleFixtures().find((f) => f.id === K8S.resources)!.triggers.replace('    app: web\nspec:', '    app: web\n    app.kubernetes.io/managed-by: modelship\nspec:');
  const project: ProjectDescription = {
    root: '/p', models: [{ path: 'model.pt', format: 'pytorch', framework: 'pytorch', bytes: 800 * 1024 * 1024, evidence: '' }],
    requirements: { files: [], packages: [], options: [], conda: [] }, python: { version: '3.11', source: 'default' }, problems: [],
  };
  const [finding] = only(await lint(text, { project }), K8S.resources);
  assert.match(finding!.fixes![0]!.title, /memory request 2300Mi.*memory limit 4600Mi.*model\.pt \(800 MiB\)/);
});

test('fixes keep CRLF line endings', async () => {
  const text = ruleFixtures().find((f) => f.id === K8S.capabilities)!.triggers.replace(/\n/g, '\r\n');
  const [finding] = only(await lint(text), K8S.capabilities);
  const fixed = applyEdits(text, finding!.fixes![0]!.edits);
  assert.doesNotMatch(fixed.replace(/\r\n/g, ''), /\n/);
  assert.match(fixed, /- NET_RAW\r\n {16}- ALL\r\n/);
  assert.deepEqual(only(await lint(fixed), K8S.capabilities), []);
});

test('# modelship-ignore above the line, -file anywhere, and severity settings', async () => {
  const text = ruleFixtures().find((f) => f.id === K8S.resources)!.triggers;
  assert.equal(only(await lint(text), K8S.resources).length, 1);
  const ignored = text.replace('        - name: server\n', '        # modelship-ignore MS-K8S003\n        - name: server\n');
  assert.deepEqual(only(await lint(ignored), K8S.resources), []);
  assert.ok((await lint(ignored)).length === 0, 'only the named rule is silenced');
  const other = text.replace('        - name: server\n', '        # modelship-ignore MS-K8S012\n        - name: server\n');
  assert.equal(only(await lint(other), K8S.resources).length, 1);
  assert.deepEqual(only(await lint(`# modelship-ignore-file MS-K8S003\n${text}`), K8S.resources), []);
  const escalated = await lint(text, { settings: { rules: { [K8S.resources]: 'error' } } });
  assert.equal(only(escalated, K8S.resources)[0]!.severity, 'error');
  assert.deepEqual(only(await lint(text, { settings: { rules: { [K8S.resources]: 'off' } } }), K8S.resources), []);
});

test('Helm templates, non-Kubernetes YAML and kustomizations', async () => {
  assert.deepEqual(await lint('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels: [\n'), []);
  assert.deepEqual(await lint('name: CI\non:\n  push:\njobs:\n  test:\n    runs-on: ubuntu-latest\n'), []);
  assert.deepEqual(await lint('name: CI\non: [push\n'), [], 'syntax errors of non-Kubernetes YAML are not ours');
  const kustomization = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n';
  assert.deepEqual(await lint(kustomization, { file: 'deploy/kustomization.yaml' }), []);
  assert.deepEqual(ids(await lint('resources:\n  - a.yaml\nbases: [../base\n', { file: 'deploy/kustomization.yaml' })), [K8S.syntax]);
  assert.deepEqual(ids(await lint('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n\tdata: 1\n')), [K8S.syntax]);
});

test('YAML 1.1 as kubectl reads it: `yes` is a boolean, and the fix quotes it', async () => {
  const text = ruleFixtures().find((f) => f.id === K8S.schema)!.clean.replace('value: "4"', 'value: yes');
  const [finding] = only(await lint(text), K8S.schema);
  assert.equal(slice(text, finding!.range), 'yes');
  assert.equal(finding!.fixes![0]!.edits[0]!.newText, '"yes"');
});

test('an older configured Kubernetes does not serve newer GA versions', async () => {
  const text = ruleFixtures().find((f) => f.id === K8S.apiVersion)!.clean;
  const findings = only(await lint(text, { settings: { kubernetesVersion: '1.20' } }), K8S.apiVersion);
  assert.deepEqual(findings.map((f) => slice(text, f.range)), ['autoscaling/v2', 'policy/v1']);
  assert.match(findings[0]!.message, /served from Kubernetes 1\.23/);
  assert.match(findings[1]!.message, /served from Kubernetes 1\.21/);
  const beta = ruleFixtures().find((f) => f.id === K8S.apiVersion)!.triggers;
  assert.deepEqual(only(await lint(beta, { settings: { kubernetesVersion: '1.20' } }), K8S.apiVersion), []);
});

test('cross-file: an HPA beside a Deployment in another file', async () => {
  const fixture = ruleFixtures().find((f) => f.id === K8S.hpaRequests)!;
  const [deployment, hpa] = fixture.triggers.split(/^---\n/m);
  const others = parseManifests(deployment!, 'deploy/deployment.yaml');
  const [finding] = only(await lint(hpa!, { file: 'deploy/hpa.yaml', others }), K8S.hpaRequests);
  assert.ok(finding);
  assert.equal(finding!.related![0]!.file, 'deploy/deployment.yaml');
  assert.equal(slice(deployment!, finding!.related![0]!.range), 'name: server');
  assert.deepEqual(only(await lint(hpa!, { file: 'deploy/hpa.yaml' }), K8S.hpaTarget), [], 'without the other files, a missing target is not known');
  assert.equal(only(await lint(hpa!, { file: 'deploy/hpa.yaml', others: [] }), K8S.hpaTarget).length, 1, 'with them, it is');
});

test('kustomize patches are partial objects: no required fields, no missing-field rules', async () => {
  const patch = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: server\n          resources:\n            requests:\n              cpu: 100m\n';
  // The deprecated form (users' older overlays) and the current one (what containerize generates).
  for (const patches of ['patchesStrategicMerge:\n  - replicas.yaml\n', 'patches:\n  - path: replicas.yaml\n']) {
    const kustomization = parseManifests(`resources:\n  - ../base\n${patches}`, 'deploy/overlays/dev/kustomization.yaml');
    assert.deepEqual(await lint(patch, { file: 'deploy/overlays/dev/replicas.yaml', others: kustomization }), [], patches);
  }
  assert.deepEqual(await lint(patch, { file: 'deploy/overlays/dev/deployment-patch.yaml' }), [], 'named like a patch');
  const asObject = await lint(patch, { file: 'deploy/overlays/dev/replicas.yaml' });
  assert.ok(only(asObject, K8S.schema).some((f) => /spec\.selector/.test(f.message)), 'a whole object needs its selector');
});

test('the linter never throws and never reports in other files', async () => {
  for (const text of ['', '---', '--- !!binary\n', 'a: *b\n', '[1, 2', 'apiVersion: 3\nkind: [x]\n', 'apiVersion: v1\nkind: Pod\nspec: 7\n', 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers: [1, null, {name: 2}]\n']) {
    const findings = await lint(text);
    for (const f of findings) assert.equal(f.file, 'deploy/app.yaml');
  }
});

test('realistic manifests in other styles: no false schema findings, the expected advice', async () => {
  const text = readFileSync(join(FIXTURES, 'realistic.yaml'), 'utf8');
  const findings = await lint(text);
  assert.deepEqual(ids(findings), [K8S.resources, K8S.startupProbe, K8S.runAsNonRoot, K8S.readOnlyRoot, K8S.privilegeEscalation, K8S.capabilities, K8S.gpuToleration, K8S.literalSecret].sort());
  assert.deepEqual(only(findings, K8S.literalSecret).map((f) => slice(text, f.range)), ['secret']);
  assert.match(only(findings, K8S.startupProbe)[0]!.message, /vllm-openai:v0\.6\.3 serves, which can take 600s, but its liveness probe gives up after 90s/);
});

test('edge cases: percentages in a PDB, autoscaling/v1, merge keys, YAML 1.1 octals', async () => {
  const workload = (extra = '') => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  selector: {matchLabels: {app: w}}\n  template:\n    metadata: {labels: {app: w}}\n    spec:\n      containers:\n        - name: c\n          image: "x:1"\n${extra}`;
  const pdb = `${workload()}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: w}\nspec:\n  minAvailable: 50%\n  selector: {matchLabels: {app: w}}\n`;
  const [blocked] = only(await lint(pdb), K8S.pdb);
  assert.match(blocked!.message, /minAvailable 50% with 1 replica/);
  const fixed = applyEdits(pdb, blocked!.fixes![0]!.edits);
  assert.match(fixed, /\n {2}maxUnavailable: 1\n {2}selector:/);
  assert.deepEqual(only(await lint(fixed), K8S.pdb), []);

  const v1 = `${workload()}---\napiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: w}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: w}\n  maxReplicas: 3\n`;
  const [hpa] = only(await lint(v1), K8S.hpaRequests);
  assert.equal(slice(v1, hpa!.range), 'scaleTargetRef', 'no metric named: CPU at 80%, reported on the target');

  const merged = `x-resources: &res\n  requests: {cpu: 100m, memory: 64Mi}\n  limits: {memory: 128Mi}\n---\n${workload('          resources:\n            <<: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 128Mi}}\n')}`;
  assert.deepEqual(only(await lint(merged), K8S.resources), [], 'merge keys apply as kubectl applies them');

  const octal = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: "x:1"}]\n  volumes:\n    - name: v\n      secret: {secretName: s, defaultMode: 0644}\n`;
  assert.deepEqual(only(await lint(octal), K8S.schema), []);
});

test('no fix edits through an alias: it would change every use of the anchor', async () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsNonRoot: true}\n  containers:\n    - name: a\n      image: "x:1"\n      securityContext: &sc\n        allowPrivilegeEscalation: false\n        capabilities: {drop: [ALL]}\n    - name: b\n      image: "x:1"\n      securityContext: *sc\n';
  const findings = only(await lint(text), K8S.readOnlyRoot);
  assert.equal(findings.length, 2);
  assert.ok(findings[0]!.fixes?.length, 'the anchored container gets a fix');
  assert.equal(findings[1]!.fixes, undefined, 'the aliasing one does not');
});
