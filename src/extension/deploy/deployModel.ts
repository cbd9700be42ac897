/**
 * The Deployments capability's plain data: the commands that talk to a cluster, what the
 * Deployments view shows (a snapshot per project and environment, JSON like everything at a
 * boundary), and the state of the kube connection behind the `modelship.kube` context key.
 * Nothing here loads the Kubernetes client; extension.js imports this file.
 */

/** The commands whose flows run in dist/deploy.js (the Kubernetes client and the deploy flows). */
export type DeployCommandName =
  | 'deployStaging'
  | 'deployEnvironment'
  | 'rollback'
  | 'showDeploymentStatus'
  | 'showDeploymentLogs'
  | 'portForward'
  | 'tryPrediction'
  | 'undeploy'
  | 'selectKubeContext';

export const DEPLOY_COMMAND_TITLES: Record<DeployCommandName, string> = {
  deployStaging: 'Deploy to Staging',
  deployEnvironment: 'Deploy to Environment',
  rollback: 'Roll Back',
  showDeploymentStatus: 'Show Deployment Status',
  showDeploymentLogs: 'Show Logs',
  portForward: 'Port-Forward',
  tryPrediction: 'Try a Prediction',
  undeploy: 'Undeploy',
  selectKubeContext: 'Select Kubernetes Context',
};

/**
 * Where the view stands with the clusters, as the `modelship.kube` context key (its welcome
 * content): no project to deploy, no kubeconfig, a cluster that does not answer, or answering.
 */
export type KubeState = 'unknown' | 'untrusted' | 'noProject' | 'noKubeconfig' | 'unreachable' | 'reachable';

/** One pod as the tree shows it (kubectl get pods' columns). */
export interface PodView {
  name: string;
  phase: string;
  /** "1/1". */
  ready: string;
  restarts: number;
  reason?: string;
  age?: string;
}

/** The project's Deployment in one environment, read from the cluster. */
export interface DeploymentView {
  name: string;
  ready: number;
  desired: number;
  updated: number;
  revision?: number;
  image?: string;
  /** The `sha256:…` the image reference pins, when it does. */
  digest?: string;
  state: 'ready' | 'progressing' | 'failed';
  summary: string;
  /** Whether an older revision exists to roll back to. */
  rollbackable: boolean;
  pods: PodView[];
}

/** One environment of one project: where it deploys and what runs there. */
export interface EnvironmentView {
  /** The project folder (absolute path), the key commands receive from a tree item. */
  projectDir: string;
  /** The Deployment's (and the project's) name. */
  project: string;
  environment: string;
  context?: string;
  namespace: string;
  /** The environment the status bar points at. */
  selected: boolean;
  /** Set when this environment's cluster could not be read (the tree says so on the row). */
  error?: string;
  /** Undefined while not deployed (or not read yet). */
  deployment?: DeploymentView;
}

export interface DeploymentsSnapshot {
  kube: KubeState;
  /** Why `kube` is what it is, for the view's message. */
  message?: string;
  environments: EnvironmentView[];
}

/** What a tree item hands to a command: enough to act without asking again. */
export interface DeploymentsNodeArg {
  projectDir: string;
  environment: string;
  deployment?: string;
  pod?: string;
}
