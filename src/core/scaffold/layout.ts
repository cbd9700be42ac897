/** Where generated files go, project-relative. Every generator and the extension use these names. */
export const LAYOUT = {
  dockerfile: 'Dockerfile',
  dockerignore: '.dockerignore',
  /** The serving app and its requirements. */
  appDir: 'serving',
  k8sDir: 'deploy/k8s',
  helmDir: 'deploy/helm',
  kserveFile: 'deploy/kserve/inferenceservice.yaml',
  composeFile: 'compose.yaml',
  ciWorkflow: '.github/workflows/modelship.yml',
  /** Wheels for offline builds (`--offline`). */
  wheelsDir: 'wheels',
} as const;
