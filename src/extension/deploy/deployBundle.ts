/**
 * Everything that talks to a Kubernetes cluster, bundled apart as dist/deploy.js (the Kubernetes
 * client, dockerode for the deploy's build and push, the deploy flows) and loaded by deployHost.ts
 * on the first cluster command, the first look at the Deployments view or a restored panel —
 * never at activation.
 */
export { DEPLOY_COMMANDS } from './deployCommands';
export { DeploySession } from './deploySession';
export { readDeploymentsOnce, watchDeployments } from './deploymentsWatch';
export { deploymentLogFeed, deploymentStatusFeed } from './deploymentFeeds';
export { restorePanel } from '../webview/api';
