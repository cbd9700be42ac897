// The `helm` target: Chart.yaml is a valid v2 chart, every value a template reads exists, the
// values pass the chart's own schema, the values mirror the plain manifests, and, where `helm`
// is on PATH, `helm template` renders the same objects as `kubectl kustomize` per environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import type { PlannedFile } from '../../../src/core/scaffold';
import { CASES, IRIS, kubectlBinaries, optionalTool, parseOne, parseYaml, plan, requireTool, run, writeTree, type Plan, type Obj } from './kubernetes.support';


const TEMPLATES = ['deployment.yaml', 'service.yaml', 'hpa.yaml', 'pdb.yaml', 'configmap.yaml', '_helpers.tpl', 'NOTES.txt'];

function chart(p: Plan) {
  const dir = `deploy/helm/${p.spec.name}`;
  const get = (name: string) => p.file(`${dir}/${name}`);
  const templates = p.files.filter((f) => f.path.startsWith(`${dir}/templates/`));
  return { dir, get, templates, values: parseOne(get('values.yaml')) as Obj, schema: JSON.parse(get('values.schema.json').contents) as Obj };
}

/** Helm's merge of a values file over values.yaml: maps merge key by key, anything else replaces. */
function merge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && base[k] && typeof base[k] === 'object' ? merge(base[k], v) : v;
  }
  return out;
}

function valuesPaths(templates: PlannedFile[]): string[][] {
  const paths = new Map<string, string[]>();
  for (const t of templates) {
    for (const m of t.contents.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) paths.set(m[1]!, m[1]!.slice(1).split('.'));
  }
  return [...paths.values()];
}

test('Chart.yaml is a valid apiVersion v2 chart and every template is there', async () => {
  for (const c of CASES) {
    const p = await plan(c.root, c.options);
    const { get, templates } = chart(p);
    const meta = parseOne(get('Chart.yaml')) as Obj;
    assert.equal(meta.apiVersion, 'v2');
    assert.equal(meta.name, p.spec.name);
    assert.match(meta.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    assert.equal(meta.type, 'application');
    assert.match(meta.version, /^\d+\.\d+\.\d+/, 'SemVer 2 chart version');
    assert.equal(typeof meta.appVersion, 'string');
    assert.match(meta.kubeVersion, /^>=1\.23/);
    assert.deepEqual(templates.map((t) => t.path.split('/').pop()).sort(), [...TEMPLATES].sort());
  }
});

test('every value a template reads exists in values.yaml', async () => {
  for (const c of CASES) {
    const p = await plan(c.root, c.options);
    const { templates, values } = chart(p);
    const paths = valuesPaths(templates);
    assert.ok(paths.length > 30, 'templates read their values');
    for (const path of paths) {
      let node: unknown = values;
      for (const key of path) {
        assert.ok(node && typeof node === 'object' && key in (node as Obj), `${c.label}: .Values.${path.join('.')} is missing from values.yaml`);
        node = (node as Obj)[key];
      }
    }
  }
});

test('templates are balanced and include only defined helpers', async () => {
  const p = await plan(IRIS, { model: 'model.joblib' });
  const { templates } = chart(p);
  const helpers = templates.find((t) => t.path.endsWith('_helpers.tpl'))!.contents;
  const defined = new Set([...helpers.matchAll(/define "([^"]+)"/g)].map((m) => m[1]));
  for (const t of templates) {
    const opens = [...t.contents.matchAll(/\{\{-?\s*(if|with|range|define)\b/g)].length;
    const ends = [...t.contents.matchAll(/\{\{-?\s*end\s*-?\}\}/g)].length;
    assert.equal(opens, ends, `${t.path}: ${opens} blocks, ${ends} ends`);
    for (const m of t.contents.matchAll(/include "([^"]+)"/g)) assert.ok(defined.has(m[1]), `${t.path}: include ${m[1]} is not defined`);
  }
});

test('values.yaml and each environment pass values.schema.json, which rejects bad values', async () => {
  for (const c of CASES) {
    const p = await plan(c.root, c.options);
    const { get, values, schema } = chart(p);
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const check = (v: Obj, where: string) => assert.ok(validate(v), `${c.label} ${where}: ${JSON.stringify(validate.errors)}`);
    check(values, 'values.yaml');
    for (const env of ['dev', 'prod']) check(merge(values, parseOne(get(`values-${env}.yaml`)) as Obj), `values-${env}.yaml`);
    assert.ok(!validate({ ...values, containerPort: '8080' }), 'a string port is rejected');
    assert.ok(!validate({ ...values, image: { ...values.image, tag: 'latest' } }), 'latest is rejected');
    assert.ok(!validate({ ...values, replicaCont: 2 }), 'a misspelt key is rejected');
    assert.ok(!validate({ ...values, model: { ...values.model, source: 'pvc', pvc: { claimName: '', subPath: '' } } }), 'pvc needs a claim');
  }
});

test('values mirror the plain manifests', async () => {
  for (const c of CASES) {
    const p = await plan(c.root, c.options);
    const { values } = chart(p);
    const deployment = parseOne(p.file('deploy/k8s/base/deployment.yaml')) as Obj;
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    assert.equal(`${values.image.repository}:${values.image.tag}`, container.image);
    assert.equal(values.containerPort, container.ports[0].containerPort);
    assert.equal(values.service.port, p.spec.port);
    assert.deepEqual(values.paths, p.spec.paths);
    for (const probe of ['startup', 'readiness', 'liveness']) {
      const { periodSeconds, timeoutSeconds, failureThreshold } = container[`${probe}Probe`];
      assert.deepEqual(values.probes[probe], { periodSeconds, timeoutSeconds, failureThreshold }, `${c.label}: ${probe}`);
    }
    const withoutGpu = (r: Obj) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'nvidia.com/gpu'));
    assert.deepEqual(values.resources, { requests: withoutGpu(container.resources.requests), limits: withoutGpu(container.resources.limits) });
    assert.equal(values.gpu.enabled, p.spec.gpu.enabled);
    assert.equal(values.shm.enabled, pod.volumes.some((v: Obj) => v.name === 'dshm'));
    assert.deepEqual(values.env, (parseOne(p.file('deploy/k8s/base/configmap.yaml')) as Obj).data);
    assert.equal(values.model.source, p.spec.mode === 'bake' ? 'image' : pod.initContainers ? 'download' : 'pvc');
    assert.equal(values.uid, p.spec.uid);
  }
});

/** What both renderings must agree on: everything but Helm's bookkeeping and the namespace. */
function comparable(objects: Obj[]): Obj[] {
  return objects
    .filter((o) => o.kind !== 'Namespace')
    .map((o) => {
      const copy = structuredClone(o);
      delete copy.metadata.namespace;
      for (const labels of [copy.metadata.labels, copy.spec?.template?.metadata?.labels]) {
        if (!labels) continue;
        delete labels['helm.sh/chart'];
        delete labels['app.kubernetes.io/managed-by'];
      }
      delete copy.spec?.template?.metadata?.annotations?.['checksum/config'];
      return copy;
    })
    .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
}

test('helm template renders what kubectl kustomize renders, per environment', async (t) => {
  if (!optionalTool(t, 'helm', ['version'], 'comparing `helm template` with the Kustomize overlays')) return;
  if (!requireTool(t, kubectlBinaries()[0]!, ['version', '--client'], 'the overlays cannot be rendered to compare with')) return;
  for (const c of CASES) {
    const p = await plan(c.root, c.options);
    const root = writeTree(p.files);
    const { dir } = chart(p);
    run('helm', ['lint', '--strict', dir], root);
    for (const env of ['dev', 'staging', 'prod']) {
      const extra = env === 'staging' ? [] : ['-f', `${dir}/values-${env}.yaml`];
      const helm = parseYaml(run('helm', ['template', p.spec.name, dir, '--namespace', `${p.spec.name}-${env}`, ...extra], root).stdout) as Obj[];
      const kustomize = parseYaml(run(kubectlBinaries()[0]!, ['kustomize', `deploy/k8s/overlays/${env}`], root).stdout) as Obj[];
      assert.deepEqual(comparable(helm), comparable(kustomize), `${c.label} ${env}`);
    }
  }
});
