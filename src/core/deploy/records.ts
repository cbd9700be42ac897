/**
 * The parts of Kubernetes objects that deploy, rollout and status logic read, as tolerant partial
 * shapes of the API's JSON (every field optional, as a watch may deliver any of them missing).
 * The kube adapter hands these over as plain data; nothing here depends on a client library.
 */

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  ownerReferences?: { kind?: string; name?: string; uid?: string }[];
}

/** Any object as applied or read back: enough to name it. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

export interface ConditionRecord {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ResourceRequirementsRecord {
  limits?: Record<string, string>;
  requests?: Record<string, string>;
}

export interface ProbeRecord {
  httpGet?: { path?: string; port?: number | string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export interface ContainerSpecRecord {
  name?: string;
  image?: string;
  env?: { name?: string; value?: string }[];
  resources?: ResourceRequirementsRecord;
  startupProbe?: ProbeRecord;
  readinessProbe?: ProbeRecord;
  livenessProbe?: ProbeRecord;
}

export interface PodTemplateRecord {
  metadata?: ObjectMeta;
  spec?: { containers?: ContainerSpecRecord[]; initContainers?: ContainerSpecRecord[] };
}

export interface DeploymentRecord {
  metadata?: ObjectMeta;
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: PodTemplateRecord;
    progressDeadlineSeconds?: number;
    paused?: boolean;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: ConditionRecord[];
  };
}

export interface ReplicaSetRecord {
  metadata?: ObjectMeta;
  spec?: { replicas?: number; template?: PodTemplateRecord };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number };
}

export interface ContainerStateRecord {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number; signal?: number; startedAt?: string; finishedAt?: string };
}

export interface ContainerStatusRecord {
  name?: string;
  image?: string;
  imageID?: string;
  containerID?: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerStateRecord;
  lastState?: ContainerStateRecord;
}

export interface PodRecord {
  metadata?: ObjectMeta;
  spec?: { nodeName?: string; containers?: ContainerSpecRecord[] };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: ConditionRecord[];
    containerStatuses?: ContainerStatusRecord[];
    initContainerStatuses?: ContainerStatusRecord[];
    startTime?: string;
  };
}

export interface EventRecord {
  metadata?: ObjectMeta;
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  /** `fieldPath` names the container an event is about: `spec.containers{server}`. */
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string; fieldPath?: string };
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
}

/** Everything the rollout logic looks at for one Deployment, read at one moment. */
export interface RolloutSnapshot {
  deployment?: DeploymentRecord;
  /** The Deployment's ReplicaSets (owned by it). */
  replicaSets: ReplicaSetRecord[];
  /** Pods matching the Deployment's selector. */
  pods: PodRecord[];
  /** Events about the Deployment, its ReplicaSets and its pods, oldest first. */
  events: EventRecord[];
}
