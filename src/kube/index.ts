/**
 * The kube adapter's public surface for the CLI and the extension: open a session on a context,
 * then apply, follow, read logs, roll back and undeploy. Everything returned is plain data;
 * every failure is a ModelshipError. @kubernetes/client-node loads on the first call.
 */
export { connectKube, MODELSHIP_KINDS, FIELD_MANAGER } from './session';
export type { KubeSession, ApplyOptions, LogOptions, ConnectOptions, KindRef } from './session';
export { loadKubeconfig } from './kubeconfig';
export type { KubeTarget, KubeconfigOptions } from './kubeconfig';
export { KubeError, toKubeError, withRetry, isRetryable } from './errors';
export type { KubeFieldCause, KubeOperation, RetryOptions } from './errors';
export type { RevisionInfo } from './rollout';
