import type { RuleDoc } from '../types';

/** Rules that compare files with each other. */
export const RULES: RuleDoc[] = [
  {
    id: 'MS-X001',
    name: 'port-mismatch',
    category: 'project',
    defaultSeverity: 'error',
    summary: 'The Dockerfile EXPOSE, the app port, containerPort, Service targetPort and probe ports must be one port.',
    description: 'When the image listens on one port and the Deployment, Service or probes use another, pods never become ready or traffic goes nowhere. The finding names both places; change the manifest to the port the image serves (8080 for Modelship\'s app).',
    fixable: false,
  },
  {
    id: 'MS-X002',
    name: 'model-path-mismatch',
    category: 'project',
    defaultSeverity: 'error',
    summary: 'MODEL_PATH must name the model the Dockerfile copies, that model must exist, and manifests must not override it with another path.',
    description: 'A MODEL_PATH that points where no model was copied (or at a file that is not a model) makes the server fail at start-up. Copy the served model to MODEL_PATH, or mount it there in mount mode.',
    fixable: false,
  },
  {
    id: 'MS-X003',
    name: 'image-mismatch',
    category: 'project',
    defaultSeverity: 'warning',
    summary: 'Every manifest should run the same image tag of a repository.',
    description: 'Kubernetes manifests, compose and KServe that name different tags of one image deploy different code in different places. Use one tag (the one the build produced).',
    fixable: false,
  },
];
