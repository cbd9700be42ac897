// The `k8s` target: every manifest is valid Kubernetes (offline schema validation), the
// overlays render with a real kustomize, and the files agree with each other and with the spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelshipError } from '../../../src/core/errors';
import type { PlannedFile, ServingSpec } from '../../../src/core/scaffold';
import { apiVersionsFor, DEFAULT_KUBE_VERSION } from '../../../src/core/scaffold/k8s/apiVersions';
import { renderKubernetes } from '../../../src/core/scaffold/generators/kubernetes';
import { CASES, IRIS, MODELS, currentKubectl, kubectlBinaries, parseOne, parseYaml, plan, requireTool, run, validateKubernetes, writeTree, type Obj } from './kubernetes.support';


const KUBE_VERSION = process.env.MODELSHIP_KUBE_VERSION ?? DEFAULT_KUBE_VERSION;
const k8sFiles = (files: PlannedFile[]) => files.filter((f) => f.target === 'k8s');
const isPatch = (f: PlannedFile) => f.path.endsWith('-patch.yaml');
const isKustomization = (f: PlannedFile) => f.path.endsWith('/kustomization.yaml');

function torchExpected(spec: ServingSpec): boolean {
  return spec.model.framework === 'pytorch' || spec.requirements.some((r) => r.startsWith('torch'));
}

/** Checks that hold for any rendering of the service, plain base or an overlay. */
function checkAgreement(spec: ServingSpec, objects: Obj[], where: string): void {
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const [deployment] = byKind('Deployment');
  assert.ok(deployment, `${where}: a Deployment`);
  const pod = deployment.spec.template;
  const container = pod.spec.containers.find((c: Obj) => c.name === 'server');
  assert.ok(container, `${where}: the server container`);

  // Ports: containerPort == spec.port, and every named reference resolves to it.
  const portByName = new Map<string, number>(container.ports.map((p: Obj) => [p.name, p.containerPort]));
  const resolve = (port: string | number) => (typeof port === 'number' ? port : portByName.get(port));
  assert.deepEqual([...portByName.values()], [spec.port], `${where}: containerPort`);
  for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) assert.equal(resolve(container[probe].httpGet.port), spec.port, `${where}: ${probe} port`);
  assert.equal(container.startupProbe.httpGet.path, spec.paths.ready);
  assert.equal(container.readinessProbe.httpGet.path, spec.paths.ready);
  assert.equal(container.livenessProbe.httpGet.path, spec.paths.live);
  const budget = container.startupProbe.periodSeconds * container.startupProbe.failureThreshold;
  assert.ok(budget >= spec.startupSeconds, `${where}: startup budget ${budget}s < ${spec.startupSeconds}s`);
  assert.ok(deployment.spec.progressDeadlineSeconds > budget, `${where}: rollouts must outlast the startup budget`);

  const [svc] = byKind('Service');
  assert.ok(svc, `${where}: a Service`);
  assert.equal(svc.spec.ports.length, 1);
  assert.equal(resolve(svc.spec.ports[0].targetPort), spec.port, `${where}: Service targetPort`);

  // Image: the spec's reference, never latest (nor untagged).
  for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
    assert.match(c.image, /:[\w][\w.-]*$/, `${where}: ${c.name} image has a tag`);
    assert.doesNotMatch(c.image, /:latest$/, `${where}: ${c.name} image is not latest`);
  }
  assert.equal(container.image, spec.image.ref);

  // Labels and selectors.
  const podLabels: Obj = pod.metadata.labels;
  const matches = (selector: Obj) => Object.entries(selector).every(([k, v]) => podLabels[k] === v);
  assert.ok(matches(deployment.spec.selector.matchLabels), `${where}: Deployment selector`);
  assert.ok(matches(svc.spec.selector), `${where}: Service selector`);
  assert.equal(podLabels['app.kubernetes.io/name'], spec.name);
  assert.equal(podLabels['app.kubernetes.io/managed-by'], 'modelship');
  for (const key of ['instance', 'version', 'component', 'part-of']) assert.ok(podLabels[`app.kubernetes.io/${key}`], `${where}: label ${key}`);
  assert.ok(!('app.kubernetes.io/version' in deployment.spec.selector.matchLabels), 'no version in the immutable selector');
  for (const o of objects.filter((x) => x.kind !== 'Namespace')) assert.equal(o.metadata.labels['app.kubernetes.io/managed-by'], 'modelship', `${where}: ${o.kind} labels`);

  // HPA and PDB.
  const [hpa] = byKind('HorizontalPodAutoscaler');
  const [pdb] = byKind('PodDisruptionBudget');
  if (hpa) {
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    assert.ok(hpa.spec.minReplicas <= hpa.spec.maxReplicas);
    assert.equal(deployment.spec.replicas, undefined, `${where}: an autoscaled Deployment leaves replicas to the HPA`);
  }
  if (pdb) {
    assert.ok(matches(pdb.spec.selector.matchLabels), `${where}: PDB selector`);
    const replicas = hpa ? hpa.spec.minReplicas : (deployment.spec.replicas ?? 1);
    assert.ok(pdb.spec.minAvailable < replicas, `${where}: PDB minAvailable ${pdb.spec.minAvailable} must leave room to drain ${replicas} replicas`);
  }

  // Security.
  assert.equal(pod.spec.securityContext.runAsNonRoot, true);
  assert.equal(pod.spec.securityContext.runAsUser, spec.uid);
  for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
    assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] }, `${where}: ${c.name} drops capabilities`);
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  }
  const volumes = new Map<string, Obj>(pod.spec.volumes.map((v: Obj) => [v.name, v]));
  const mountAt = (path: string) => container.volumeMounts.find((m: Obj) => m.mountPath === path);
  assert.ok(volumes.get(mountAt('/tmp')?.name)?.emptyDir, `${where}: /tmp is an emptyDir`);
  for (const m of container.volumeMounts) assert.ok(volumes.has(m.name), `${where}: mount ${m.name} has a volume`);

  // /dev/shm in memory iff torch.
  const shm = mountAt('/dev/shm');
  assert.equal(Boolean(shm), torchExpected(spec), `${where}: /dev/shm iff torch`);
  if (shm) assert.equal(volumes.get(shm.name)?.emptyDir?.medium, 'Memory');

  // GPU: limit == request, and the toleration, iff asked.
  const gpuLimit = container.resources.limits['nvidia.com/gpu'];
  assert.equal(gpuLimit !== undefined, spec.gpu.enabled, `${where}: GPU limit iff gpu`);
  assert.equal(container.resources.requests['nvidia.com/gpu'], gpuLimit, `${where}: GPU request == limit`);
  const tolerates = (pod.spec.tolerations ?? []).some((t: Obj) => t.key === 'nvidia.com/gpu' && t.operator === 'Exists' && t.effect === 'NoSchedule');
  assert.equal(tolerates, spec.gpu.enabled, `${where}: GPU toleration iff gpu`);

  // The ConfigMap the pod reads exists and carries the app's environment.
  const [cm] = byKind('ConfigMap');
  assert.equal(container.envFrom[0].configMapRef.name, cm.metadata.name);
  for (const key of ['MODEL_PATH', 'MODEL_FORMAT', 'PORT']) assert.ok(cm.data[key], `${where}: ConfigMap ${key}`);
  assert.equal(cm.data.PORT, String(spec.port));

  // Workers: WORKERS=auto starts one process per whole CPU of the limit (the cgroup quota), so the
  // limit holds at least one CPU, the request stays within it, and memory holds one model per worker.
  const cpu = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q));
  const { requests, limits } = container.resources;
  const workers = cm.data.WORKERS === 'auto' ? Math.max(1, Math.floor(cpu(limits.cpu))) : Number(cm.data.WORKERS);
  assert.ok(workers >= 1 && Number.isInteger(workers), `${where}: WORKERS ${cm.data.WORKERS}`);
  assert.ok(cpu(limits.cpu) >= 1, `${where}: CPU limit ${limits.cpu} gives a worker a whole CPU`);
  assert.ok(cpu(requests.cpu) <= cpu(limits.cpu), `${where}: CPU request ${requests.cpu} <= limit ${limits.cpu}`);
  if (cm.data.WORKERS === 'auto') {
    assert.ok(!spec.gpu.enabled, `${where}: one process per GPU`);
    const perWorker = parseInt(limits.memory, 10) / workers;
    assert.ok(perWorker >= parseInt(spec.resources.requests.memory, 10) / Number(spec.resources.limits.cpu), `${where}: ${limits.memory} holds ${workers} copies of the model`);
  }

  // Prometheus finds the metrics.
  assert.equal(pod.metadata.annotations['prometheus.io/scrape'], 'true');
  assert.equal(pod.metadata.annotations['prometheus.io/port'], String(spec.port));
  assert.equal(pod.metadata.annotations['prometheus.io/path'], spec.paths.metrics);
}

/** Base plus the overlay's own objects, without kustomize (the kubectl test checks the real merge). */
function baseObjects(files: PlannedFile[]): Obj[] {
  return k8sFiles(files).filter((f) => f.path.includes('/base/') && !isKustomization(f)).map(parseOne);
}

/** The k8s files for the targeted Kubernetes version (MODELSHIP_KUBE_VERSION, default current). */
function targeted(spec: ServingSpec, files: PlannedFile[]): PlannedFile[] {
  return [...files.filter((f) => f.target !== 'k8s'), ...renderKubernetes(spec, { kubeVersion: KUBE_VERSION })];
}

test(`every complete manifest passes Kubernetes ${KUBE_VERSION} schema validation`, async () => {
  for (const c of CASES) {
    const { spec, files } = await plan(c.root, c.options);
    const manifests = k8sFiles(targeted(spec, files)).filter((f) => !isKustomization(f) && !isPatch(f));
    assert.ok(manifests.length >= 10, `${c.label}: manifests planned`);
    for (const f of manifests) await validateKubernetes(parseOne(f), `${c.label}: ${f.path}`);
  }
});

test('the schema validation rejects what a cluster would reject', async () => {
  const { files } = await plan(IRIS, { model: 'model.joblib' });
  const deployment = parseOne(files.find((f) => f.path === 'deploy/k8s/base/deployment.yaml')!) as Obj;
  await validateKubernetes(deployment, 'control');
  const broken = structuredClone(deployment);
  broken.spec.template.spec.containers[0].ports[0].containerPort = '8080';
  await assert.rejects(validateKubernetes(broken, 'string port'), /containerPort must be integer/);
  const badQuantity = structuredClone(deployment);
  badQuantity.spec.template.spec.containers[0].resources.limits.memory = 'lots';
  await assert.rejects(validateKubernetes(badQuantity, 'bad quantity'), /memory/);
  await assert.rejects(validateKubernetes({ apiVersion: 'apps/v1', kind: 'Deploymnet' }, 'typo kind'), /no schema/);
});

test('HPA and PDB API versions follow the targeted Kubernetes version', async () => {
  const { spec } = await plan(IRIS, { model: 'model.joblib' });
  for (const kubeVersion of [...new Set([KUBE_VERSION, '1.20', DEFAULT_KUBE_VERSION])]) {
    const versions = apiVersionsFor(kubeVersion);
    const files = renderKubernetes(spec, { kubeVersion });
    const hpa = parseOne(files.find((f) => f.path.endsWith('prod/hpa.yaml'))!);
    const pdb = parseOne(files.find((f) => f.path.endsWith('prod/pdb.yaml'))!);
    assert.equal(hpa.apiVersion, versions.hpa);
    assert.equal(pdb.apiVersion, versions.pdb);
    await validateKubernetes(hpa, `${kubeVersion} hpa`);
    await validateKubernetes(pdb, `${kubeVersion} pdb`);
  }
  assert.deepEqual(apiVersionsFor('1.20'), { hpa: 'autoscaling/v2beta2', pdb: 'policy/v1beta1' });
  assert.deepEqual(apiVersionsFor('v1.23.4'), { hpa: 'autoscaling/v2', pdb: 'policy/v1' });
  assert.deepEqual(apiVersionsFor(), { hpa: 'autoscaling/v2', pdb: 'policy/v1' });
});

test('base manifests agree with each other and with the spec', async () => {
  for (const c of CASES) {
    const { spec, files } = await plan(c.root, c.options);
    checkAgreement(spec, baseObjects(files), c.label);
  }
});

test('kustomizations use only `resources` and `patches` with a path, which kustomize v4 and v5 read without warnings', async () => {
  const allowed = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'patches']);
  for (const c of CASES) {
    const { files } = await plan(c.root, c.options);
    const kustomizations = k8sFiles(files).filter(isKustomization);
    assert.equal(kustomizations.length, 4);
    for (const f of kustomizations) {
      const k = parseOne(f);
      for (const key of Object.keys(k)) assert.ok(allowed.has(key), `${f.path}: ${key} is deprecated or not generated`);
      const dir = f.path.slice(0, -'kustomization.yaml'.length);
      const patches = ((k.patches as { path?: string }[]) ?? []).map((p) => {
        assert.deepEqual(Object.keys(p), ['path'], `${f.path}: a patch is a file, applied to the object it names`);
        return p.path!;
      });
      const fileResources = ((k.resources as string[]) ?? []).filter((r) => r.endsWith('.yaml'));
      const folders = ((k.resources as string[]) ?? []).filter((r) => !r.endsWith('.yaml'));
      assert.deepEqual(folders, dir.includes('/overlays/') ? ['../../base'] : [], `${f.path}: an overlay builds on the base`);
      const listed = [...fileResources, ...patches];
      for (const r of listed) assert.ok(files.some((p) => p.path === dir + r), `${f.path}: ${r} is planned`);
      const planned = k8sFiles(files).filter((p) => p.path.startsWith(dir) && p.path !== f.path && !p.path.slice(dir.length).includes('/'));
      for (const p of planned) assert.ok(listed.includes(p.path.slice(dir.length)), `${p.path} is listed in ${f.path}`);
    }
  }
});

const EXPECT = {
  dev: { replicas: 1, hpa: undefined, pdb: undefined },
  staging: { replicas: undefined, hpa: 2, pdb: 1 },
  prod: { replicas: undefined, hpa: 3, pdb: 2 },
} as const;

test('overlays render with the real kubectl kustomize, validate and agree', async (t) => {
  const binaries = kubectlBinaries();
  if (!requireTool(t, binaries[0]!, ['version', '--client'], 'the overlays cannot be rendered')) return;
  for (const kubectl of binaries) {
    const version = run(kubectl, ['version', '--client']).stdout.split('\n')[0];
    t.diagnostic(`rendering with ${kubectl}: ${version}`);
    for (const c of CASES) {
      const { spec, files } = await plan(c.root, c.options);
      const root = writeTree(k8sFiles(targeted(spec, files)));
      for (const env of ['dev', 'staging', 'prod'] as const) {
        const where = `${c.label} ${env} (${kubectl})`;
        const objects = parseYaml(run(kubectl, ['kustomize', `deploy/k8s/overlays/${env}`], root).stdout, where) as Obj[];
        for (const o of objects) await validateKubernetes(o, where);
        checkAgreement(spec, objects, where);
        const namespace = `${spec.name}-${env}`;
        assert.ok(objects.some((o) => o.kind === 'Namespace' && o.metadata.name === namespace), `${where}: Namespace`);
        for (const o of objects.filter((x) => x.kind !== 'Namespace')) assert.equal(o.metadata.namespace, namespace, `${where}: ${o.kind} namespace`);
        const deployment = objects.find((o) => o.kind === 'Deployment')!;
        const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
        const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget');
        assert.equal(deployment.spec.replicas, EXPECT[env].replicas, `${where}: replicas`);
        assert.equal(hpa?.spec.minReplicas, EXPECT[env].hpa, `${where}: HPA minimum`);
        assert.equal(pdb?.spec.minAvailable, EXPECT[env].pdb, `${where}: PDB minAvailable`);
        const cpu = deployment.spec.template.spec.containers[0].resources.requests.cpu;
        const baseCpu = spec.resources.requests.cpu;
        if (env === 'dev') assert.notEqual(cpu, baseCpu, `${where}: dev asks for less CPU`);
        else assert.equal(cpu, baseCpu, `${where}: CPU request`);
        assert.equal(deployment.spec.template.spec.containers[0].resources.requests.memory, spec.resources.requests.memory, `${where}: memory stays`);
        if (env === 'prod') assert.ok(deployment.spec.template.spec.topologySpreadConstraints, `${where}: prod spreads across nodes`);
      }
    }
  }
});

test('every overlay renders with a current kubectl (kustomize v5) without a warning', async (t) => {
  const kubectl = currentKubectl(t);
  if (!kubectl) return;
  t.diagnostic(`rendering with ${kubectl}: ${run(kubectl, ['version', '--client']).stdout.split('\n')[0]}`);
  for (const c of CASES) {
    const { spec, files } = await plan(c.root, c.options);
    const root = writeTree(k8sFiles(targeted(spec, files)));
    for (const dir of ['base', 'overlays/dev', 'overlays/staging', 'overlays/prod']) {
      // Deprecated fields (`bases`, `patchesStrategicMerge`, `commonLabels`) show only as warnings on stderr.
      const { stderr } = run(kubectl, ['kustomize', `deploy/k8s/${dir}`], root);
      assert.equal(stderr, '', `${c.label}: kubectl kustomize deploy/k8s/${dir} warns`);
    }
  }
});

function podOf(files: PlannedFile[]): Obj {
  return (parseOne(files.find((f) => f.path === 'deploy/k8s/base/deployment.yaml')!) as Obj).spec.template.spec;
}
function configOf(files: PlannedFile[]): Obj {
  return (parseOne(files.find((f) => f.path === 'deploy/k8s/base/configmap.yaml')!) as Obj).data;
}

test('bake mode mounts no model', async () => {
  const { files } = await plan(IRIS, { model: 'model.joblib' });
  const pod = podOf(files);
  assert.equal(pod.initContainers, undefined);
  assert.ok(!pod.volumes.some((v: Obj) => v.name === 'model'));
  assert.equal(configOf(files).MODEL_PATH, '/models/model.joblib');
});

test('pvc:// mounts the claim read-only at the model folder', async () => {
  const { spec, files } = await plan(MODELS, { model: 'sklearn_pipeline.joblib', mode: 'mount', modelUri: 'pvc://models/iris/v3/sklearn_pipeline.joblib' });
  const pod = podOf(files);
  assert.deepEqual(pod.volumes.find((v: Obj) => v.name === 'model'), { name: 'model', persistentVolumeClaim: { claimName: 'models', readOnly: true } });
  const mount = pod.containers[0].volumeMounts.find((m: Obj) => m.name === 'model');
  assert.deepEqual(mount, { name: 'model', mountPath: spec.model.containerDir, readOnly: true, subPath: 'iris/v3' });
  assert.equal(configOf(files).MODEL_PATH, '/models/sklearn_pipeline.joblib');
  assert.equal(pod.initContainers, undefined);

  const renamed = await plan(MODELS, { model: 'sklearn_pipeline.joblib', mode: 'mount', modelUri: 'pvc://models/iris-2024.joblib' });
  assert.equal(configOf(renamed.files).MODEL_PATH, '/models/iris-2024.joblib', 'a file URI keeps its own name');
  assert.equal(podOf(renamed.files).containers[0].volumeMounts.find((m: Obj) => m.name === 'model').subPath, undefined);

  const folder = await plan(MODELS, { model: 'torch_state_dict.pt', mode: 'mount', modelUri: 'pvc://weights/torch/' });
  assert.equal(configOf(folder.files).MODEL_PATH, '/models/torch_state_dict.pt', 'a folder URI holds the model');
});

test('mount mode without a URI assumes a claim named after the service and says so', async () => {
  const { spec, files } = await plan(MODELS, { model: 'savedmodel_dir', mode: 'mount' });
  const pod = podOf(files);
  assert.equal(pod.volumes.find((v: Obj) => v.name === 'model').persistentVolumeClaim.claimName, `${spec.name}-model`);
  assert.equal(pod.containers[0].volumeMounts.find((m: Obj) => m.name === 'model').subPath, 'savedmodel_dir');
  assert.equal(configOf(files).MODEL_PATH, '/models', 'a SavedModel folder is the model folder');
  assert.match(files.find((f) => f.path === 'deploy/k8s/base/deployment.yaml')!.contents, /# No --model-uri was given: create the claim savedmodel-dir-model/);
});

test('object-store URIs are downloaded by an init container into an emptyDir', async () => {
  for (const uri of ['s3://models/iris/sklearn_pipeline.joblib', 'gs://models/iris/sklearn_pipeline.joblib', 'https://example.com/m/sklearn_pipeline.joblib']) {
    const { spec, files } = await plan(MODELS, { model: 'sklearn_pipeline.joblib', mode: 'mount', modelUri: uri });
    const pod = podOf(files);
    const [init] = pod.initContainers;
    assert.match(init.image, /^kserve\/storage-initializer:v\d+\.\d+\.\d+$/);
    assert.deepEqual(init.args, [uri, spec.model.containerDir]);
    assert.deepEqual(init.envFrom, [{ secretRef: { name: `${spec.name}-model-storage`, optional: true } }]);
    assert.ok(init.volumeMounts.some((m: Obj) => m.name === 'model' && m.mountPath === spec.model.containerDir && !m.readOnly));
    assert.ok(pod.volumes.find((v: Obj) => v.name === 'model').emptyDir.sizeLimit);
    assert.equal(pod.containers[0].volumeMounts.find((m: Obj) => m.name === 'model').readOnly, true);
    assert.equal(configOf(files).MODEL_PATH, '/models/sklearn_pipeline.joblib');
    const text = files.find((f) => f.path === 'deploy/k8s/base/deployment.yaml')!.contents;
    assert.match(text, /AWS_ACCESS_KEY_ID/, 'the credentials it needs are documented');
  }
});

test('a model URI that cannot be mounted is refused with a hint', async () => {
  await assert.rejects(plan(MODELS, { model: 'model.onnx', mode: 'mount', modelUri: 'ftp://host/model.onnx' }), (e: unknown) => e instanceof ModelshipError && e.code === 'BAD_MODEL_URI' && /pvc:\/\//.test(e.hint ?? ''));
  await assert.rejects(plan(MODELS, { model: 'model.onnx', mode: 'mount', modelUri: 'pvc://Bad_Claim/model.onnx' }), /not a valid PersistentVolumeClaim name/);
});

test('the same input plans the same bytes', async () => {
  for (const c of CASES) {
    const a = await plan(c.root, c.options);
    const b = await plan(c.root, c.options);
    assert.deepEqual(k8sFiles(a.files), k8sFiles(b.files));
  }
});

test('a small CPU model runs WORKERS=auto under a 2-CPU limit, requesting CPU and memory for each worker; GPU models run one', async () => {
  const cpu = await plan(IRIS, { model: 'model.joblib' });
  assert.equal(cpu.spec.env.WORKERS, 'auto');
  assert.deepEqual(cpu.spec.resources.limits.cpu, '2');
  assert.deepEqual(cpu.spec.resources.requests.cpu, '500m');
  const gpu = await plan(MODELS, { model: 'torchscript_model.pt', gpu: true });
  assert.equal(gpu.spec.env.WORKERS, '1');
  const memory = (q: string) => parseInt(q, 10);
  assert.ok(memory(cpu.spec.resources.requests.memory) >= 2 * 256, `two copies of the model fit ${cpu.spec.resources.requests.memory}`);
});
