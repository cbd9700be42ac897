// The `kserve` target: the right predictor for each mode and format, with the built image, the
// app's port and probes for a custom container, and KServe's own server where it has one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CASES, IRIS, MODELS, modelClass, parseOne, plan, type Obj } from './kubernetes.support';


async function isvc(root: string, options: Parameters<typeof plan>[1]) {
  const p = await plan(root, options);
  return { ...p, isvc: parseOne(p.file('deploy/kserve/inferenceservice.yaml')) as Obj };
}

async function validateContainer(container: Obj, where: string): Promise<void> {
  const Container = await modelClass('v1', 'Container');
  assert.ok(Container);
  // kubernetes-models' Container has no apiVersion/kind of its own; validate() checks the fields.
  try {
    new Container(container as never).validate();
  } catch (error) {
    assert.fail(`${where}: ${(error as Error).message}`);
  }
}

test('every InferenceService is a v1beta1 object named and labelled like the service', async () => {
  for (const c of CASES) {
    const { spec, isvc: o } = await isvc(c.root, c.options);
    assert.equal(o.apiVersion, 'serving.kserve.io/v1beta1');
    assert.equal(o.kind, 'InferenceService');
    assert.equal(o.metadata.name, spec.name);
    assert.equal(o.metadata.labels['app.kubernetes.io/name'], spec.name);
    assert.ok(o.spec.predictor.minReplicas >= 1 && o.spec.predictor.minReplicas <= o.spec.predictor.maxReplicas);
    const kinds = ['model', 'containers'].filter((k) => k in o.spec.predictor);
    assert.equal(kinds.length, 1, `${c.label}: exactly one of model/containers`);
  }
});

test('bake mode runs the built image as a custom predictor on the app port and probes', async () => {
  for (const c of CASES.filter((x) => (x.options.mode ?? 'bake') === 'bake')) {
    const { spec, isvc: o } = await isvc(c.root, c.options);
    const [container] = o.spec.predictor.containers;
    await validateContainer(container, c.label);
    assert.equal(container.name, 'kserve-container');
    assert.equal(container.image, spec.image.ref);
    assert.doesNotMatch(container.image, /:latest$/);
    assert.deepEqual(container.ports, [{ containerPort: spec.port, protocol: 'TCP' }]);
    assert.equal(container.readinessProbe.httpGet.path, spec.paths.ready);
    assert.equal(container.livenessProbe.httpGet.path, spec.paths.live);
    assert.equal(container.readinessProbe.httpGet.port, spec.port);
    assert.ok(container.livenessProbe.initialDelaySeconds >= spec.startupSeconds, 'liveness waits out the model load');
    const env = Object.fromEntries(container.env.map((e: Obj) => [e.name, e.value]));
    assert.equal(env.MODEL_PATH, spec.model.containerPath);
    assert.equal(env.STORAGE_URI, undefined);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.ok(container.volumeMounts.some((m: Obj) => m.mountPath === '/tmp'));
    assert.equal(o.metadata.annotations['prometheus.io/path'], spec.paths.metrics);
  }
});

const NATIVE: [string, string, string][] = [
  ['sklearn_pipeline.joblib', 's3://bucket/m/sklearn_pipeline.joblib', 'sklearn'],
  ['sklearn_logreg_p2.pkl', 's3://bucket/m/sklearn_logreg_p2.pkl', 'sklearn'],
  ['xgb_model.json', 'gs://bucket/xgb/xgb_model.json', 'xgboost'],
  ['xgb_model.ubj', 'gs://bucket/xgb/xgb_model.ubj', 'xgboost'],
  ['lgbm_model.txt', 'pvc://models/lgbm/', 'lightgbm'],
  ['model.onnx', 'https://example.com/model.onnx', 'onnx'],
  ['torchscript_model.pt', 's3://bucket/ts/', 'pytorch'],
  ['savedmodel_dir', 'gs://bucket/tf/savedmodel_dir', 'tensorflow'],
];

test('mount mode uses KServe\'s own server with modelFormat and storageUri where it has one', async () => {
  for (const [model, uri, format] of NATIVE) {
    const { spec, isvc: o } = await isvc(MODELS, { model, mode: 'mount', modelUri: uri });
    assert.deepEqual(o.spec.predictor.model.modelFormat, { name: format }, model);
    assert.equal(o.spec.predictor.model.storageUri, uri, model);
    assert.equal(o.spec.predictor.containers, undefined);
    assert.equal(o.spec.predictor.model.resources.limits.memory, spec.resources.limits.memory);
  }
});

test('mount mode keeps the built image for formats KServe does not serve, with STORAGE_URI', async () => {
  const cases: [string, string, string][] = [
    ['model.tflite', 's3://bucket/tflite/model.tflite', '/mnt/models/model.tflite'],
    ['torch_state_dict.pt', 'pvc://weights/torch/', '/mnt/models/torch_state_dict.pt'],
    ['xgb_sklearn.pkl', 's3://bucket/xgb_sklearn.pkl', '/mnt/models/xgb_sklearn.pkl'],
    ['model.keras', 'gs://bucket/keras/', '/mnt/models/model.keras'],
  ];
  for (const [model, uri, path] of cases) {
    const { spec, isvc: o } = await isvc(MODELS, { model, mode: 'mount', modelUri: uri });
    assert.equal(o.spec.predictor.model, undefined, model);
    const [container] = o.spec.predictor.containers;
    await validateContainer(container, model);
    assert.equal(container.image, spec.image.ref);
    const env = Object.fromEntries(container.env.map((e: Obj) => [e.name, e.value]));
    assert.equal(env.STORAGE_URI, uri);
    assert.equal(env.MODEL_PATH, path);
  }
});

test('mount mode without a URI points KServe at the default claim', async () => {
  const { spec, isvc: o } = await isvc(MODELS, { model: 'savedmodel_dir', mode: 'mount' });
  assert.equal(o.spec.predictor.model.storageUri, `pvc://${spec.name}-model/savedmodel_dir`);
});

test('GPU predictors ask for a GPU (limit == request) and tolerate GPU nodes; torch gets /dev/shm', async () => {
  const { isvc: gpu } = await isvc(MODELS, { model: 'torchscript_model.pt', gpu: true });
  const [container] = gpu.spec.predictor.containers;
  assert.equal(container.resources.limits['nvidia.com/gpu'], 1);
  assert.equal(container.resources.requests['nvidia.com/gpu'], 1);
  assert.ok(gpu.spec.predictor.tolerations.some((t: Obj) => t.key === 'nvidia.com/gpu'));
  assert.ok(gpu.spec.predictor.volumes.some((v: Obj) => v.emptyDir?.medium === 'Memory'));
  assert.ok(container.volumeMounts.some((m: Obj) => m.mountPath === '/dev/shm'));

  const { isvc: cpu } = await isvc(IRIS, { model: 'model.joblib' });
  assert.equal(cpu.spec.predictor.tolerations, undefined);
  assert.equal(cpu.spec.predictor.containers[0].resources.limits['nvidia.com/gpu'], undefined);
  assert.ok(!cpu.spec.predictor.volumes.some((v: Obj) => v.name === 'dshm'));
});
