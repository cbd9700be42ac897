/**
 * The Kubernetes manifest rules' documentation entries, in id order. Ids are stable: a retired rule
 * keeps its id reserved and is never reused. Each rule's default severity is read from here, so a
 * check never spells a severity itself (a few report a milder case below it, said in the summary).
 */
import type { RuleDoc, Severity } from '../types';

/** Ids of the Kubernetes rules, by short name. */
export const K8S = {
  syntax: 'MS-K8S000',
  schema: 'MS-K8S001',
  apiVersion: 'MS-K8S002',
  resources: 'MS-K8S003',
  probes: 'MS-K8S004',
  probePort: 'MS-K8S005',
  probePath: 'MS-K8S006',
  startupProbe: 'MS-K8S007',
  runAsNonRoot: 'MS-K8S008',
  readOnlyRoot: 'MS-K8S009',
  privilegeEscalation: 'MS-K8S010',
  capabilities: 'MS-K8S011',
  imageTag: 'MS-K8S012',
  pullPolicy: 'MS-K8S013',
  selector: 'MS-K8S014',
  serviceSelector: 'MS-K8S015',
  targetPort: 'MS-K8S016',
  hpaRequests: 'MS-K8S017',
  hpaTarget: 'MS-K8S018',
  pdb: 'MS-K8S019',
  gpuRequest: 'MS-K8S020',
  gpuToleration: 'MS-K8S021',
  cudaWithoutGpu: 'MS-K8S022',
  fractionalGpu: 'MS-K8S023',
  torchShm: 'MS-K8S024',
  literalSecret: 'MS-K8S025',
  replicasWithHpa: 'MS-K8S026',
} as const;

export type KubernetesRuleId = (typeof K8S)[keyof typeof K8S];

const doc = (id: KubernetesRuleId, name: string, defaultSeverity: Severity, fixable: boolean, summary: string, description: string): RuleDoc =>
  ({ id, name, category: 'kubernetes', defaultSeverity, summary, description, fixable });

/** The kubernetes rules' documentation entries. */
export const RULES: RuleDoc[] = [
  doc(K8S.syntax, 'yaml-syntax', 'error', false,
    'The manifest is well-formed YAML (YAML 1.1, as kubectl reads it).',
    'kubectl refuses a file it cannot parse, so nothing in it is applied. The finding sits on the offending characters; a duplicate key counts as an error, as it does for kubectl. Helm templates (files containing `{{`) are not linted.'),
  doc(K8S.schema, 'schema', 'error', true,
    'Each object matches the Kubernetes schema of its kind: field types, required fields, allowed values and no unknown fields.',
    'The API server rejects an object with a wrong type or a missing required field, and kubectl (strict field validation) rejects an unknown field, which is most often a typo (`imagePullpolicy`) or a field at the wrong level. The fix renames a field to the close match it names, quotes a number where a string is expected (environment values, labels) and unquotes a number written as a string. Kustomize patches are not held to the required fields.'),
  doc(K8S.apiVersion, 'api-version-not-served', 'error', true,
    'The apiVersion of each object is served by the configured Kubernetes version (`modelship.lint.kubernetesVersion`).',
    'Kubernetes removes beta API versions (autoscaling/v2beta2 in 1.26, policy/v1beta1 PodDisruptionBudget and batch/v1beta1 CronJob in 1.25, extensions/v1beta1 in 1.16 and 1.22) and a cluster older than a GA version does not serve it yet (autoscaling/v2 needs 1.23). Applying such an object fails with "no matches for kind". The fix switches to the replacement where the object reads the same in both versions.'),
  doc(K8S.resources, 'missing-resources', 'warning', true,
    'Every container requests CPU and memory and limits memory.',
    'Without requests the scheduler packs pods blindly and the HPA cannot compute utilisation; without a memory limit one leaking model server can take the node down. The fix adds requests and limits sized from the model when the project is known (a deserialised model takes a few times its file size), or conservative defaults otherwise.'),
  doc(K8S.probes, 'missing-probes', 'warning', true,
    'Every serving container (one that declares ports) of a long-running workload has a readiness and a liveness probe.',
    'Without a readiness probe a pod receives traffic before its model is loaded; without a liveness probe a wedged server is never restarted. For the Modelship serving app the fix adds probes on /readyz and /healthz.'),
  doc(K8S.probePort, 'probe-port', 'error', true,
    'A probe\'s port names a port the container declares (a numbered port not in the container\'s ports is a warning).',
    'A named port is resolved within the container: if no containerPort has that name the probe always fails, so the pod never becomes ready (readiness) or restarts forever (liveness). The fix points the probe at the container\'s only port.'),
  doc(K8S.probePath, 'probe-path', 'warning', true,
    'Probes of the Modelship serving app use paths the app answers to GET (/healthz, /readyz, /metrics, /v2/health/...).',
    'The app answers 404 to unknown paths and 405 to GET on /predict, so such a probe always fails. The fix uses /readyz for readiness and startup probes and /healthz for liveness.'),
  doc(K8S.startupProbe, 'missing-startup-probe', 'warning', true,
    'A container that loads a large model (over 500 MB, or a known LLM server image) and has a liveness probe also has a startup probe.',
    'Loading a large model takes longer than a liveness probe waits, so the kubelet kills the container before it ever serves: a restart loop. A startup probe holds the liveness probe off until the model is loaded. The fix adds one on the readiness endpoint, with a budget that grows with the model\'s size.'),
  doc(K8S.runAsNonRoot, 'run-as-non-root', 'warning', true,
    'Every container runs as a non-root user (`runAsNonRoot: true` or a non-zero `runAsUser`, in the container or the pod).',
    'A process running as root in the container is root on the node if it escapes. The fix sets `runAsNonRoot: true` on the container; the image must then run as a numeric non-root USER (the Modelship Dockerfile does).'),
  doc(K8S.readOnlyRoot, 'read-only-root-filesystem', 'warning', true,
    'Every container has `readOnlyRootFilesystem: true`.',
    'A writable root filesystem lets an attacker (or a bug) change the served code and model. Mount an emptyDir where the app must write (/tmp); the fix sets the flag.'),
  doc(K8S.privilegeEscalation, 'privilege-escalation', 'warning', true,
    'Every container sets `allowPrivilegeEscalation: false` and is not privileged.',
    'Without it a setuid binary in the image can regain the privileges the container dropped; a privileged container has the node\'s devices. The fix sets `allowPrivilegeEscalation: false` (and `privileged: false`).'),
  doc(K8S.capabilities, 'capabilities-drop-all', 'warning', true,
    'Every container drops all Linux capabilities (`capabilities.drop: [ALL]`).',
    'A model server needs no capability; the runtime\'s default set (NET_RAW, CHOWN, SETUID...) only helps an attacker. Add back the one a container really needs with `capabilities.add`. The fix adds ALL to the drop list.'),
  doc(K8S.imageTag, 'image-tag', 'warning', false,
    'Every image is pinned to a version tag or a digest, not `latest` or untagged.',
    '`latest` moves: two replicas can run different code, and a rollback re-pulls the same tag. Tag images with a version (`iris:0.1.0`) or pin a digest (`@sha256:...`).'),
  doc(K8S.pullPolicy, 'image-pull-policy', 'warning', true,
    'The imagePullPolicy fits the image reference: `Always` for `latest` or untagged images; a digest needs no `Always` (info).',
    'With `IfNotPresent` or `Never`, a node that already holds an older `latest` keeps running it; with a digest, `Always` only adds a registry round-trip to every start. The fix sets the matching policy.'),
  doc(K8S.selector, 'selector-mismatch', 'error', true,
    'A workload\'s selector matches its own pod template\'s labels.',
    'The API server rejects a Deployment, StatefulSet, DaemonSet, ReplicaSet or Job whose selector does not select its template ("selector does not match template labels"). The fix adds the selector\'s labels to the pod template.'),
  doc(K8S.serviceSelector, 'service-selector', 'warning', false,
    'A Service\'s selector matches the pod template of some workload among the manifests.',
    'A Service that selects no pods has no endpoints: connections are refused. Align the Service\'s selector with the workload\'s pod labels (the related location shows the closest workload).'),
  doc(K8S.targetPort, 'service-target-port', 'error', true,
    'A Service\'s targetPort names a port of the pods it selects (a numbered targetPort that no container declares is a warning).',
    'A named targetPort is resolved in the selected pods; if none declares it the Service has no ready endpoints for that port. The fix uses the pods\' only port.'),
  doc(K8S.hpaRequests, 'hpa-without-requests', 'error', false,
    'A HorizontalPodAutoscaler that scales on CPU (or memory) utilisation targets containers that all request CPU (or memory).',
    'Utilisation is usage divided by the request; with a container missing the request the HPA reports FailedGetResourceMetric and never scales. Add the request to every container of the target (the related locations name them).'),
  doc(K8S.hpaTarget, 'hpa-target-missing', 'warning', true,
    'A HorizontalPodAutoscaler\'s scaleTargetRef names a workload among the manifests.',
    'An HPA whose target does not exist does nothing. Checked when the other manifests of the folder or kustomization are known, or when the same file holds workloads of that kind. The fix uses the only workload of that kind.'),
  doc(K8S.pdb, 'pdb-blocks-eviction', 'warning', true,
    'A PodDisruptionBudget leaves at least one pod of its workload evictable (minAvailable below the replica count).',
    'With minAvailable equal to the replicas (or maxUnavailable 0) no pod may ever be evicted: node drains, cluster upgrades and autoscaler scale-downs hang. Replicas are the HPA\'s minReplicas when one targets the workload. The fix lowers minAvailable to one below the replicas, or allows one pod unavailable.'),
  doc(K8S.gpuRequest, 'gpu-request-limit', 'error', true,
    'A container\'s `nvidia.com/gpu` request, if any, equals its limit.',
    'GPUs cannot be overcommitted: the API server rejects a pod whose GPU request differs from its limit, or that requests GPUs without a limit. Setting only the limit is enough. The fix makes the request equal the limit.'),
  doc(K8S.gpuToleration, 'gpu-toleration', 'warning', true,
    'A pod that asks for `nvidia.com/gpu` tolerates the `nvidia.com/gpu` NoSchedule taint.',
    'GPU node pools are usually tainted `nvidia.com/gpu:NoSchedule` (GKE, AKS, the NVIDIA GPU operator), so a pod without the toleration stays Pending. The fix adds `{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}`.'),
  doc(K8S.cudaWithoutGpu, 'cuda-without-gpu', 'warning', true,
    'A container running a CUDA image (`nvidia/cuda`, `*-cuda*`, `pytorch/pytorch:*cuda*`, TensorFlow `-gpu`) asks for a GPU.',
    'Without an `nvidia.com/gpu` limit the pod lands on a CPU node, or on a GPU node without the device mounted: the model runs on CPU at a fraction of the speed, or fails to initialise CUDA. The fix requests one GPU and tolerates the GPU taint; use a CPU image if no GPU is meant.'),
  doc(K8S.fractionalGpu, 'fractional-gpu', 'error', true,
    'GPU quantities are whole numbers.',
    'The device plugin hands out whole GPUs: `0.5` or `500m` is rejected. To share a GPU use time-slicing or MIG profiles (`nvidia.com/mig-1g.5gb`). The fix rounds up.'),
  doc(K8S.torchShm, 'torch-shm', 'warning', true,
    'A PyTorch container (by image, or by an environment that says pytorch) mounts a memory-backed emptyDir at /dev/shm.',
    'Containers get a 64 MB /dev/shm; PyTorch\'s DataLoader workers and inter-process tensors need more and die with "bus error" or "unable to write to file </torch_...>". The fix mounts an emptyDir with `medium: Memory` (it counts against the memory limit) at /dev/shm.'),
  doc(K8S.literalSecret, 'literal-secret', 'warning', true,
    'Environment variables whose names say they hold a secret (`*_TOKEN`, `*PASSWORD`, `*_SECRET`, `*_API_KEY`...) are not written as literal values.',
    'A literal value sits in the repository, in `kubectl get -o yaml` and in every copy of the manifest. Put it in a Secret and reference it; the fix writes `valueFrom.secretKeyRef` (create the Secret with `kubectl create secret generic`). Secret-like keys in a ConfigMap are reported too.'),
  doc(K8S.replicasWithHpa, 'replicas-with-hpa', 'info', true,
    'A workload that a HorizontalPodAutoscaler scales does not also set `spec.replicas`.',
    'Every `kubectl apply` resets the replica count to the manifest\'s, and the HPA scales it back later: a scaled-out service drops to the manifest\'s count at each deploy. The fix removes `replicas`.'),
];

const SEVERITY = new Map(RULES.map((r) => [r.id, r.defaultSeverity]));

/** The documented default severity of a rule. */
export function defaultSeverity(id: KubernetesRuleId): Severity {
  return SEVERITY.get(id)!;
}
