/**
 * GPUs and PyTorch: MS-K8S020 (GPU request ≠ limit), MS-K8S021 (GPU toleration), MS-K8S022 (CUDA
 * image without a GPU), MS-K8S023 (fractional GPU), MS-K8S024 (PyTorch without a memory-backed
 * /dev/shm).
 */
import type { ManifestAnalysis, ObjectView } from '../analysis';
import type { Path } from '../locate';
import { get, isObj, listAt, parseImage, parseQuantity, type ContainerView, type Obj } from '../objects';
import { K8S } from '../rules';
import { eachContainer, GPU, gpuAsked, gpuLimit } from './containers';

const TOLERATION = { key: GPU, operator: 'Exists', effect: 'NoSchedule' };

function tolerates(spec: Obj): boolean {
  return listAt(spec, ['tolerations']).some((t) => isObj(t)
    && (t.effect === undefined || t.effect === '' || t.effect === 'NoSchedule')
    && ((t.operator === 'Exists' && (t.key === undefined || t.key === '' || t.key === GPU)) || (t.key === GPU && (t.operator === undefined || t.operator === 'Equal'))));
}

function checkGpuQuantities(a: ManifestAnalysis, view: ObjectView, c: ContainerView): void {
  const resources = c.container.resources;
  if (!isObj(resources) || (get(resources, ['requests', GPU]) === undefined && get(resources, ['limits', GPU]) === undefined)) return;
  const edits = a.edits(view);
  const requestPath = [...c.path, 'resources', 'requests', GPU];
  const limitPath = [...c.path, 'resources', 'limits', GPU];
  const request = get(view.object, requestPath);
  const limit = get(view.object, limitPath);
  for (const [path, value] of [[requestPath, request], [limitPath, limit]] as const) {
    const q = parseQuantity(value);
    if (q === undefined || Number.isInteger(q)) continue;
    const whole = Math.max(1, Math.ceil(q));
    a.report(K8S.fractionalGpu, view, path,
      `Container \`${c.name}\` asks for ${String(value)} of a GPU: the device plugin hands out whole GPUs, so the API server rejects it. Ask for ${whole}; to share a GPU use time-slicing or a MIG profile (\`nvidia.com/mig-1g.5gb\`).`,
      { fixes: [a.fix(`Use ${whole}`, edits?.replaceScalar(path, String(whole)))] });
  }
  if (request === undefined || view.patch) return;
  if (limit === undefined) {
    a.report(K8S.gpuRequest, view, requestPath,
      `Container \`${c.name}\` requests ${String(request)} ${GPU} without a limit: GPUs cannot be overcommitted, so the API server rejects it. Set the limit (the request then defaults to it).`,
      { fixes: [a.fix('Set the GPU limit to the request', edits?.set(limitPath, request))] });
  } else if (parseQuantity(request) !== parseQuantity(limit)) {
    a.report(K8S.gpuRequest, view, requestPath,
      `Container \`${c.name}\` requests ${String(request)} ${GPU} but limits it to ${String(limit)}: GPUs cannot be overcommitted, so the API server rejects a request that differs from the limit. Make them equal, or set only the limit.`,
      { fixes: [a.fix(`Request ${String(limit)} GPU`, edits?.replaceScalar(requestPath, String(limit)))] });
  }
}

function checkToleration(a: ManifestAnalysis, view: ObjectView): void {
  if (!view.pod || view.patch || tolerates(view.pod.spec)) return;
  const gpu = a.containers(view).find((c) => gpuAsked(c.container) > 0);
  if (!gpu) return;
  a.report(K8S.gpuToleration, view, [...gpu.path, 'resources', gpuLimit(gpu.container) > 0 ? 'limits' : 'requests', GPU],
    `The pod asks for ${GPU} but does not tolerate the \`${GPU}:NoSchedule\` taint that GPU node pools usually carry (GKE, AKS, the NVIDIA GPU operator): it stays Pending there. Add the toleration \`{key: ${GPU}, operator: Exists, effect: NoSchedule}\`.`,
    { part: 'key', fixes: [a.fix('Tolerate the GPU taint', a.edits(view)?.append([...view.pod.specPath, 'tolerations'], TOLERATION))] });
}

/** CUDA images: nvidia/cuda, a `-cuda` repository or a tag mentioning cuda, TensorFlow's `-gpu` tags. */
export function isCudaImage(image: string): boolean {
  const ref = parseImage(image.toLowerCase());
  const tag = ref.tag ?? '';
  return /(^|\/)nvidia\/cuda$/.test(ref.repository) || ref.repository.includes('-cuda') || tag.includes('cuda')
    || (/(^|\/)tensorflow\/tensorflow$/.test(ref.repository) && /(^|-)gpu/.test(tag));
}

function checkCudaImage(a: ManifestAnalysis, view: ObjectView, c: ContainerView): void {
  const image = c.container.image;
  if (c.init || typeof image !== 'string' || !isCudaImage(image) || gpuAsked(c.container) > 0) return;
  const edits = a.edits(view);
  const fix = a.fix('Request one GPU', edits?.set([...c.path, 'resources', 'limits', GPU], 1),
    ...(tolerates(view.pod!.spec) ? [] : [edits?.append([...view.pod!.specPath, 'tolerations'], TOLERATION)]));
  a.report(K8S.cudaWithoutGpu, view, [...c.path, 'image'],
    `Container \`${c.name}\` runs the CUDA image \`${image}\` but asks for no GPU: it lands on a CPU node (or a GPU node without the device mounted) and runs on CPU, or fails to initialise CUDA. Add \`resources.limits.${GPU}: 1\`, or use a CPU image.`,
    { fixes: [fix] });
}

const TORCH_FRAMEWORKS = new Set(['pytorch', 'torchscript', 'transformers', 'safetensors']);

/** Why a container is a PyTorch one, when it is. */
function torchEvidence(a: ManifestAnalysis, view: ObjectView, c: ContainerView): string | undefined {
  const image = typeof c.container.image === 'string' ? c.container.image : '';
  if (/torch/i.test(image)) return `its image \`${image}\``;
  const env = a.envOf(view, c);
  const framework = env.get('MODEL_FRAMEWORK');
  if (framework && TORCH_FRAMEWORKS.has(framework.toLowerCase())) return `MODEL_FRAMEWORK=${framework}`;
  for (const [k, v] of env) {
    if (/^(PYTORCH|TORCH)_/i.test(k)) return `its ${k} variable`;
    if (/\bpytorch\b/i.test(v)) return `${k}=${v.length > 30 ? `${v.slice(0, 30)}…` : v}`;
  }
  const model = a.isModelshipApp(view, c) ? a.modelFor(view, c) : undefined;
  if (model && TORCH_FRAMEWORKS.has(model.framework)) return `its model ${model.path} (${model.framework})`;
  return undefined;
}

function shmSize(c: Obj): string {
  const limit = parseQuantity(get(c, ['resources', 'limits', 'memory']));
  if (!limit) return '1Gi';
  return `${Math.max(64, Math.floor(limit / 2 / (1024 * 1024)))}Mi`;
}

function checkShm(a: ManifestAnalysis, view: ObjectView, c: ContainerView): void {
  if (c.init) return;
  const evidence = torchEvidence(a, view, c);
  if (!evidence) return;
  const pod = view.pod!;
  const volumes = listAt(pod.spec, ['volumes']).filter(isObj);
  const mounts = listAt(c.container, ['volumeMounts']);
  const mountIndex = mounts.findIndex((m) => isObj(m) && typeof m.mountPath === 'string' && m.mountPath.replace(/\/+$/, '') === '/dev/shm');
  const edits = a.edits(view);
  if (mountIndex >= 0) {
    const name = get(mounts[mountIndex], ['name']);
    const volumeIndex = listAt(pod.spec, ['volumes']).findIndex((v) => isObj(v) && v.name === name);
    const volume = volumes.find((v) => v.name === name);
    if (!volume || get(volume, ['emptyDir', 'medium']) === 'Memory') return;
    const volumePath: Path = [...pod.specPath, 'volumes', volumeIndex];
    const fix = isObj(volume.emptyDir) || volume.emptyDir === null ? a.fix('Back the volume with memory', edits?.set([...volumePath, 'emptyDir', 'medium'], 'Memory')) : undefined;
    a.report(K8S.torchShm, view, [...c.path, 'volumeMounts', mountIndex, 'mountPath'],
      `/dev/shm of PyTorch container \`${c.name}\` (${evidence}) is volume \`${String(name)}\`, which is not a memory-backed emptyDir: shared-memory tensors go through disk, or fail. Use \`emptyDir: {medium: Memory}\`.`,
      { fixes: [fix] });
    return;
  }
  const taken = new Set(volumes.map((v) => v.name));
  let name = 'dshm';
  for (let i = 2; taken.has(name); i++) name = `dshm-${i}`;
  const fix = a.fix('Mount a memory-backed emptyDir at /dev/shm',
    edits?.append([...pod.specPath, 'volumes'], { name, emptyDir: { medium: 'Memory', sizeLimit: shmSize(c.container) } }),
    edits?.append([...c.path, 'volumeMounts'], { name, mountPath: '/dev/shm' }));
  a.report(K8S.torchShm, view, c.path,
    `Container \`${c.name}\` runs PyTorch (${evidence}) with the container's default 64 MB /dev/shm: DataLoader workers and shared tensors die with "bus error". Mount an emptyDir with \`medium: Memory\` at /dev/shm (it counts against the memory limit).`,
    { fixes: [fix] });
}

export function checkGpu(a: ManifestAnalysis): void {
  eachContainer(a, (view, c) => checkGpuQuantities(a, view, c), { patches: true });
  eachContainer(a, (view, c) => {
    checkCudaImage(a, view, c);
    checkShm(a, view, c);
  });
  for (const view of a.local) checkToleration(a, view);
}
