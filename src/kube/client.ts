/**
 * @kubernetes/client-node, required on first use (shared/STYLE.md pattern 4): it is ESM-only and
 * large, so esbuild bundles it into the kube bundle and nothing evaluates it until a kube command
 * runs. Every other module of src/kube takes the type from here and calls `loadKubeClient()`.
 */
export type KubeClient = typeof import('@kubernetes/client-node');

let client: KubeClient | undefined;

export const loadKubeClient = (): KubeClient => (client ??= require('@kubernetes/client-node') as KubeClient);
