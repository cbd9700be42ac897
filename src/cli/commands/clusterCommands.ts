/**
 * The entry of dist/cli-cluster.js: every cluster command but deploy (which also carries the engine
 * client), so that they share one bundle of the Kubernetes client and one code cache.
 */
export { runRollback, runStatus, runUndeploy } from './cluster';
export { runClusterLogs } from './clusterLogs';
export { runClusterSmoke, runPortForward } from './clusterSmoke';
