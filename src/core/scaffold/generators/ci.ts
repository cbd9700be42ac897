/**
 * `.github/workflows/modelship.yml`: lint, build, smoke test, push and deploy to staging.
 *
 * The image is built once and travels between jobs as an artifact, so the image pushed is the
 * one the smoke test ran. Pushes and deploys happen only for pushes to main; the tag is the
 * commit SHA, never `latest`. Actions are pinned by major version.
 */
import type { Generator } from '../generator';
import { namespaceFor } from '../k8s/environments';
import { progressDeadlineSeconds } from '../k8s/objects';
import { yamlText } from '../k8s/yamlText';
import { LAYOUT } from '../layout';
import type { PlannedFile, ScaffoldTarget, ServingSpec } from '../types';

export const ACTIONS = {
  checkout: 'actions/checkout@v4',
  setupBuildx: 'docker/setup-buildx-action@v3',
  buildPush: 'docker/build-push-action@v6',
  login: 'docker/login-action@v3',
  upload: 'actions/upload-artifact@v4',
  download: 'actions/download-artifact@v4',
  setupKubectl: 'azure/setup-kubectl@v4',
  setupHelm: 'azure/setup-helm@v4',
} as const;

const KUBECTL_VERSION = 'v1.32.4';
const HELM_VERSION = 'v3.17.2';
const ON_MAIN = "github.event_name == 'push' && github.ref == 'refs/heads/main'";
const RUNNER = 'ubuntu-24.04';
const LOCAL_TAG = '${{ github.sha }}';

type Step = Record<string, unknown>;

/** Commented out until `modelship lint` ships; uncomment it then. */
const LINT_STEP = [
  '`modelship lint` arrives with the lint feature; then uncomment:',
  '- name: Lint the Dockerfile and manifests',
  '  run: npx --yes modelship lint',
].join('\n');

/** The registry repository CI pushes to: the user's, when it is on GHCR, else the repository owner's. */
export function pushRepository(spec: ServingSpec): { expression: string; script: string } {
  if (spec.image.repository.startsWith('ghcr.io/')) return { expression: spec.image.repository, script: spec.image.repository.toLowerCase() };
  // GHCR wants lower case; an owner may not be.
  return { expression: `ghcr.io/\${{ github.repository_owner }}/${spec.name}`, script: `ghcr.io/\${GITHUB_REPOSITORY_OWNER,,}/${spec.name}` };
}

function lintJob(spec: ServingSpec, targets: readonly ScaffoldTarget[]): Record<string, unknown> {
  const steps: Step[] = [{ uses: ACTIONS.checkout }];
  if (targets.includes('k8s')) {
    steps.push(
      { uses: ACTIONS.setupKubectl, with: { version: KUBECTL_VERSION } },
      { name: 'Render the Kubernetes overlays', run: `for env in dev staging prod; do\n  kubectl kustomize ${LAYOUT.k8sDir}/overlays/$env > /dev/null\ndone\n` },
    );
  }
  if (targets.includes('helm')) {
    const chart = `${LAYOUT.helmDir}/${spec.name}`;
    steps.push(
      { uses: ACTIONS.setupHelm, with: { version: HELM_VERSION } },
      { name: 'Lint and render the Helm chart', run: `helm lint ${chart}\nhelm template ${spec.name} ${chart} > /dev/null\n` },
    );
  }
  if (targets.includes('compose')) steps.push({ name: 'Check compose.yaml', run: `docker compose -f ${LAYOUT.composeFile} config --quiet` });
  return { 'runs-on': RUNNER, steps };
}

function buildJob(spec: ServingSpec): Record<string, unknown> {
  return {
    needs: 'lint',
    'runs-on': RUNNER,
    steps: [
      { uses: ACTIONS.checkout, with: { lfs: true } },
      { uses: ACTIONS.setupBuildx },
      {
        name: 'Build the image',
        uses: ACTIONS.buildPush,
        with: {
          context: '.',
          push: false,
          tags: `${spec.name}:${LOCAL_TAG}`,
          outputs: 'type=docker,dest=${{ runner.temp }}/image.tar',
          'cache-from': 'type=gha',
          'cache-to': 'type=gha,mode=max',
        },
      },
      { uses: ACTIONS.upload, with: { name: 'image', path: '${{ runner.temp }}/image.tar', 'retention-days': 1 } },
    ],
  };
}

function loadImage(): Step[] {
  return [
    { uses: ACTIONS.download, with: { name: 'image', path: '${{ runner.temp }}' } },
    { name: 'Load the image', run: 'docker load --input "$RUNNER_TEMP/image.tar"' },
  ];
}

function smokeJob(spec: ServingSpec): Record<string, unknown> {
  const base = `http://127.0.0.1:${spec.port}`;
  const sample = `${LAYOUT.appDir}/sample.json`;
  const mount = spec.mode === 'mount' ? ` \\\n  --volume "$PWD/${spec.model.source}:${spec.model.containerPath}:ro"` : '';
  const run = [
    `docker run --detach --name smoke --publish ${spec.port}:${spec.port} \\`,
    `  --read-only --tmpfs /tmp --user ${spec.uid}:${spec.uid} --cap-drop ALL --security-opt no-new-privileges${mount} \\`,
    `  ${spec.name}:${LOCAL_TAG}`,
    `for i in $(seq 1 ${Math.ceil((spec.startupSeconds + 60) / 2)}); do`,
    `  curl -fsS ${base}${spec.paths.ready} && break`,
    `  [ "$(docker inspect -f '{{.State.Running}}' smoke)" = true ] || { docker logs smoke; exit 1; }`,
    '  sleep 2',
    'done',
    `curl -fsS ${base}${spec.paths.ready}`,
    // Containerize writes the sample only when the model file states its input width.
    `if [ -f ${sample} ]; then`,
    `  curl -fsS -X POST -H 'Content-Type: application/json' --data @${sample} ${base}${spec.paths.predict}`,
    'else',
    `  echo "::warning::${sample} is missing, so ${spec.paths.predict} was not called; add a request to smoke-test predictions"`,
    'fi',
    `curl -fsS ${base}${spec.paths.metrics} > /dev/null`,
  ].join('\n');
  return {
    needs: 'build',
    'runs-on': RUNNER,
    steps: [
      { uses: ACTIONS.checkout, with: { lfs: spec.mode === 'mount' } },
      ...loadImage(),
      { name: 'Run the container and call it', run: `${run}\n` },
      { name: 'Container logs', if: 'always()', run: 'docker logs smoke || true' },
    ],
  };
}

function pushJob(spec: ServingSpec): Record<string, unknown> {
  const repo = pushRepository(spec);
  return {
    needs: 'smoke-test',
    if: ON_MAIN,
    'runs-on': RUNNER,
    permissions: { contents: 'read', packages: 'write' },
    steps: [
      ...loadImage(),
      { uses: ACTIONS.login, with: { registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' } },
      {
        name: `Push ${repo.expression}:${LOCAL_TAG}`,
        run: `image="${repo.script}:$GITHUB_SHA"\ndocker tag "${spec.name}:$GITHUB_SHA" "$image"\ndocker push "$image"\n`,
      },
    ],
  };
}

function deployJob(spec: ServingSpec): Record<string, unknown> {
  const repo = pushRepository(spec);
  const overlay = `${LAYOUT.k8sDir}/overlays/staging`;
  return {
    needs: 'push',
    if: ON_MAIN,
    'runs-on': RUNNER,
    environment: { name: 'staging' },
    concurrency: { group: `deploy-staging-${spec.name}`, 'cancel-in-progress': false },
    steps: [
      { uses: ACTIONS.checkout },
      { uses: ACTIONS.setupKubectl, with: { version: KUBECTL_VERSION } },
      {
        name: 'Cluster access',
        env: { KUBE_CONFIG: '${{ secrets.KUBE_CONFIG }}' },
        run: 'install -m 600 /dev/null "$RUNNER_TEMP/kubeconfig"\nprintf \'%s\' "$KUBE_CONFIG" > "$RUNNER_TEMP/kubeconfig"\necho "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"\n',
      },
      { name: 'Point staging at this commit\'s image', 'working-directory': overlay, run: `kustomize edit set image ${spec.image.repository}=${repo.script}:$GITHUB_SHA` },
      { name: 'Apply', run: `kubectl apply -k ${overlay}` },
      { name: 'Wait for the rollout', run: `kubectl -n ${namespaceFor(spec, 'staging')} rollout status deployment/${spec.name} --timeout=${progressDeadlineSeconds(spec)}s` },
    ],
  };
}

export function workflow(spec: ServingSpec, targets: readonly ScaffoldTarget[]): Record<string, unknown> {
  const jobs: Record<string, unknown> = { lint: lintJob(spec, targets), build: buildJob(spec), 'smoke-test': smokeJob(spec), push: pushJob(spec) };
  if (targets.includes('k8s')) jobs['deploy-staging'] = deployJob(spec);
  return {
    name: `Modelship ${spec.name}`,
    on: { push: { branches: ['main'] }, pull_request: {}, workflow_dispatch: {} },
    permissions: { contents: 'read' },
    concurrency: { group: '${{ github.workflow }}-${{ github.ref }}', 'cancel-in-progress': "${{ github.event_name == 'pull_request' }}" },
    jobs,
  };
}

function comment(spec: ServingSpec, targets: readonly ScaffoldTarget[]): string {
  const lines = [
    `CI for ${spec.name}: lint, build, smoke test; on main also push to GHCR (tagged with the commit SHA)${targets.includes('k8s') ? ' and deploy to staging' : ''}.`,
  ];
  if (targets.includes('k8s')) {
    lines.push("Deploying needs a GitHub environment named staging with a KUBE_CONFIG secret (a kubeconfig allowed to apply to the staging namespace).");
    lines.push('kustomize comes with GitHub\'s Ubuntu runners.');
  }
  lines.push('Generated by Modelship; edit freely, `modelship containerize` asks before overwriting.');
  return lines.join('\n');
}

export const generate: Generator = ({ spec, targets }): PlannedFile[] => [
  {
    path: LAYOUT.ciWorkflow,
    contents: yamlText({
      value: workflow(spec, targets),
      comment: comment(spec, targets),
      version: '1.2',
      notes: [{ path: ['jobs', 'lint', 'steps'], after: true, text: LINT_STEP }],
    }),
    target: 'ci',
    purpose: 'GitHub Actions: lint, build, smoke test, push, deploy to staging',
  },
];
