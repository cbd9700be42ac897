/**
 * The `modelship` command: parses arguments, calls core, prints results on stdout and logs on
 * stderr. Exit codes follow ESLint's: 0 done, 1 the command found errors, 2 bad usage or failure.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ModelshipError, formatModelshipError, isModelshipError } from '../core/errors';
import { loadBundle } from './loadBundle';
import { debug, extractVerbose, isVerbose, setVerbose } from './verbose';
// Heavy commands are bundles of their own (dist/cli-<name>.js), required when they run: `detect`
// must not pay for parsing the linters' schemas and the scaffolding templates.
const loadCommand = <T>(name: string, codeCache = false): T => {
  const started = Date.now();
  const loaded = loadBundle<T>(path.join(__dirname, `cli-${name}.js`), codeCache);
  debug(() => `loaded dist/cli-${name}.js in ${Date.now() - started} ms`);
  return loaded;
};
const commands = {
  detect: () => require('./commands/detect') as typeof import('./commands/detect'),
  containerize: () => loadCommand<typeof import('./commands/containerize')>('containerize'),
  lint: () => loadCommand<typeof import('./commands/lint')>('lint'),
  ship: () => loadCommand<typeof import('./commands/ship')>('ship'),
  deploy: () => loadCommand<typeof import('./commands/deploy')>('deploy', true),
  cluster: () => loadCommand<typeof import('./commands/clusterCommands')>('cluster', true),
};

const USAGE = `Usage: modelship <command> [options]

Commands:
  detect [PATH] [--json]   Find model files in PATH (a folder, default the current one, or one
                           file), with their framework, Python version, requirements and problems.
                           Pickle-family models get a static safety scan (--no-safety skips it).
  containerize PATH        Generate what ships the model at PATH (a model file, a SavedModel
                           folder, or a project holding one model): Dockerfile, .dockerignore,
                           serving app, Kubernetes (kustomize), Helm, KServe, compose, CI.
      --gpu                  GPU image, nvidia.com/gpu limits and tolerations.
      --mode bake|mount      Copy the model into the image (default) or read it at run time.
      --model-uri URI        Where the model lives in mount mode (pvc://claim/path, s3://...).
      --only LIST            Comma-separated: dockerfile,app,k8s,helm,kserve,compose,ci.
      --image REPO           Image repository (default: the service name).
      --base-image IMAGE     Runtime base image (default python:<version>-slim).
      --gpu-base-image IMAGE GPU runtime base image (default: from the CUDA compatibility table).
      --base-provides LIST   Distributions the base image already has (comma-separated names, or
                             @FILE holding "pip freeze" lines): the build reuses them.
      --offline              Install from wheels/ with --no-index.
      --no-pip-secrets       No RUN --mount=type=secret for pip's index (a Dockerfile the classic
                             builder accepts; a package mirror then needs --build-arg or --offline).
      --dry-run              Print the plan and the diffs; write nothing.
      --force                Overwrite files that differ without asking.

  lint [PATHS...]          Check Dockerfiles, Kubernetes manifests and pickle-family models
                           (a static scan for code that would run on load). Exit 1 on errors.
      --format F             text (default), json (1-based lines) or sarif (GitHub code scanning).
      --kube-version V       Kubernetes version manifests are validated against (default 1.32).
      --disable IDS          Comma-separated rule ids to turn off.

  build [DIR]              Build the image DIR's Dockerfile describes, through the Docker Engine
                           API, tagged as the Dockerfile's labels say (BuildKit when the engine has it).
      --tag T                Tag(s) instead of / besides the generated one (repeatable).
      --build-arg K=V        Build argument (repeatable).   --target STAGE   Stop at a stage.
      --no-cache             Build every step again.       --builder auto|buildkit|legacy
      --quiet                Steps only, no build output.
      --secret id=ID[,env=VAR|,src=FILE]  A build secret (repeatable). PIP_INDEX_URL and
                             PIP_EXTRA_INDEX_URL are passed from the environment, and the file
                             PIP_CONFIG_FILE names as pip.conf, when set; values are never printed.
  run [DIR]                Start the image detached on 127.0.0.1, wait for /readyz, print URL and id.
      --port N               Host port (default: a free one).  --env K=V  (repeatable)
      --gpu / --gpus N|all   Ask the engine for GPUs (says plainly when it has no NVIDIA runtime).
      --timeout S            Seconds to wait for /readyz (default 120).   --no-wait
      --no-limits            Lift the limits taken from deploy/k8s (memory, CPU, read-only root,
                             tmpfs /tmp): by default it runs as the cluster will, so a model that
                             needs more memory than its manifest gives fails here first.
  smoke [DIR]              POST a sample to /predict of the running container (or --url) and print
                           the answer; exit 1 when it fails. The sample: --sample FILE, a saved
                           sample.json / input_example.json, else rows shaped from the server's metadata.
                           Predictions saved beside the sample (<sample>.expected.json or
                           expected_predictions.json, or --expect FILE) must match (floats to 1e-6).
  logs [DIR] [--follow]    The container's logs.            ps [DIR] [--all]   Modelship's containers.
  stop [DIR]               Stop and remove the project's containers.
  push [DIR] [--to REG]    Push the image (re-tagged under REG[/NAMESPACE] with --to), with the
                           credentials docker login stored; prints the digest.
  Engine commands take --json; they find the engine like the docker CLI (DOCKER_HOST, the current
  context, TLS settings, the default or Podman socket).

  deploy [DIR]             Build the image if needed, push it to the environment's registry, render
                           the overlay (kustomize, or helm when the environment names a chart), show
                           what changes (server dry run), server-side apply (field manager modelship)
                           and follow the rollout to Ready, or to the reason it fails. Exit 0 Ready,
                           1 the rollout failed, 2 usage, connection or credential errors. On a kind,
                           minikube or k3d cluster with no registry (or --registry local), the image is
                           loaded with their CLI instead, and runs with imagePullPolicy IfNotPresent.
      --dry-run              Print the diff against the live objects and stop (Secrets redacted).
      --force-conflicts      Take over fields another field manager owns.
      --push                 Push even when the engine says the image is in the registry already.
  status [DIR] [--watch]   The Deployment, its revisions, pods (phase, ready, restarts, reason,
                           node, age) and the reasons a rollout is stuck.
  rollback [DIR]           Back to the previous revision (--to-revision N), then follow it.
  undeploy [DIR]           Delete what deploy applied (found by labels); asks first.
  port-forward [DIR]       Forward 127.0.0.1:PORT (--port, else a free one) to a ready pod behind the
                           project's Service, re-targeted after a rollout; prints the URL; Ctrl-C ends it.
  logs [DIR] --env E       Logs of the whole Deployment: every pod and container, prefixed
                           pod/container; new pods and restarts join; resumes after a cut without
                           repeating lines. --follow, --tail N (default 10, -1 all), --since 5m,
                           --previous (the crashed container's), --container NAME, --timestamps, --json.
  smoke [DIR] --env E      The smoke test (sample and expected predictions) through a port-forward.
  Cluster commands take --env dev|staging|prod (default staging; prod needs --yes), --context C,
  --namespace N, --kubeconfig FILE, --registry R, --timeout S, --yes and --json. Defaults come from
  deploy/environments.yaml; flags override it. The kubeconfig's current context is never changed.

Options:
  -h, --help               Show this help.
  -v, --version            Print the version.
  --verbose                Debug lines and full stack traces on stderr (before or after the
                           command; MODELSHIP_VERBOSE=1 does the same).`;

declare const MODELSHIP_VERSION: string | undefined;

export async function main(argv: string[]): Promise<number> {
  const { args, verbose } = extractVerbose(argv);
  setVerbose(verbose);
  const [command, ...rest] = args;
  debug(() => `modelship ${typeof MODELSHIP_VERSION === 'string' ? MODELSHIP_VERSION : 'dev'}, node ${process.version}, command ${command ?? '(none)'}`);
  try {
    return await dispatch(command, rest);
  } catch (error) {
    throw usageFromParseError(error, command);
  }
}

/** Node's own message for an unknown option suggests '-- "--x' with a quote left open; say it in our words. */
function usageFromParseError(error: unknown, command: string | undefined): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec((error as Error).message)?.[1] ?? 'option';
    return new UsageError(`Unknown option '${option}' for ${command}. See 'modelship ${command} --help' for its options; a value that starts with '-' goes after '--'.`);
  }
  if (code?.startsWith('ERR_PARSE_ARGS')) return new UsageError(`${command}: ${(error as Error).message}`);
  return error;
}

async function dispatch(command: string | undefined, rest: string[]): Promise<number> {
  if (!command || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`${typeof MODELSHIP_VERSION === 'string' ? MODELSHIP_VERSION : 'dev'}\n`);
    return 0;
  }
  if (command === 'detect') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, 'no-safety': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (positionals.length > 1) throw new UsageError(`detect takes one folder, got ${positionals.length}: ${positionals.join(' ')}`);
    return commands.detect().runDetect(positionals[0] ?? '.', { json: values.json === true, verbose: isVerbose(), safety: values['no-safety'] !== true });
  }
  if (command === 'containerize') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        gpu: { type: 'boolean' }, mode: { type: 'string' }, only: { type: 'string' }, 'dry-run': { type: 'boolean' },
        force: { type: 'boolean' }, json: { type: 'boolean' }, 'model-uri': { type: 'string' }, image: { type: 'string' },
        'base-image': { type: 'string' }, 'gpu-base-image': { type: 'string' }, 'base-provides': { type: 'string' }, offline: { type: 'boolean' }, 'no-pip-secrets': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('containerize takes one path: the model file, its SavedModel folder, or the project');
    return commands.containerize().runContainerize(positionals[0]!, {
      gpu: values.gpu === true, mode: values.mode ?? 'bake', dryRun: values['dry-run'] === true, force: values.force === true,
      json: values.json === true, offline: values.offline === true, pipSecrets: values['no-pip-secrets'] !== true,
      ...(values.only ? { only: values.only } : {}), ...(values['model-uri'] ? { modelUri: values['model-uri'] } : {}),
      ...(values.image ? { image: values.image } : {}), ...(values['base-image'] ? { baseImage: values['base-image'] } : {}),
      ...(values['base-provides'] ? { baseProvides: values['base-provides'] } : {}),
      ...(values['gpu-base-image'] ? { gpuBaseImage: values['gpu-base-image'] } : {}),
    });
  }
  if (command === 'lint') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { format: { type: 'string' }, 'kube-version': { type: 'string' }, disable: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    return commands.lint().runLint(positionals, {
      format: values.format ?? 'text',
      ...(values['kube-version'] ? { kubernetesVersion: values['kube-version'] } : {}),
      ...(values.disable ? { disable: values.disable } : {}),
    });
  }
  if ((command === 'logs' || command === 'smoke') && isClusterCall(rest)) return runClusterCommand(command, rest);
  if (SHIP_COMMANDS.has(command)) return runShipCommand(command, rest);
  if (CLUSTER_COMMANDS.has(command)) return runClusterCommand(command, rest);
  throw new UsageError(`Unknown command '${command}'.`);
}

class UsageError extends Error {}

const CLUSTER_COMMANDS = new Set(['deploy', 'status', 'rollback', 'undeploy', 'port-forward']);

/** `logs` and `smoke` act on the cluster when given an environment or a context, on the local container otherwise. */
const isClusterCall = (args: string[]) => args.some((a) => /^--(env|context)(=|$)/.test(a));

async function runClusterCommand(command: string, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      env: { type: 'string' }, context: { type: 'string' }, namespace: { type: 'string', short: 'n' }, kubeconfig: { type: 'string' },
      registry: { type: 'string' }, timeout: { type: 'string' }, yes: { type: 'boolean', short: 'y' }, json: { type: 'boolean' },
      'dry-run': { type: 'boolean' }, 'force-conflicts': { type: 'boolean' }, push: { type: 'boolean' }, watch: { type: 'boolean', short: 'w' }, 'to-revision': { type: 'string' },
      port: { type: 'string', short: 'p' }, sample: { type: 'string' }, expect: { type: 'string' }, follow: { type: 'boolean', short: 'f' }, tail: { type: 'string' },
      since: { type: 'string' }, previous: { type: 'boolean' }, container: { type: 'string', short: 'c' }, timestamps: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`${command} takes one folder, got ${positionals.length}: ${positionals.join(' ')}`);
  const dir = positionals[0] ?? '.';
  const flags = {
    ...(values.env ? { env: values.env } : {}), ...(values.context ? { context: values.context } : {}), ...(values.namespace ? { namespace: values.namespace } : {}),
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}), ...(values.registry ? { registry: values.registry } : {}), ...(values.timeout ? { timeout: values.timeout } : {}),
    yes: values.yes === true, json: values.json === true,
  };
  if (command === 'deploy') return commands.deploy().runDeploy(dir, { ...flags, dryRun: values['dry-run'] === true, forceConflicts: values['force-conflicts'] === true, push: values.push === true });
  const cluster = commands.cluster();
  switch (command) {
    case 'status':
      return cluster.runStatus(dir, { ...flags, watch: values.watch === true });
    case 'logs':
      return cluster.runClusterLogs(dir, {
        ...flags, follow: values.follow === true, previous: values.previous === true, timestamps: values.timestamps === true,
        ...(values.tail ? { tail: values.tail } : {}), ...(values.since ? { since: values.since } : {}), ...(values.container ? { container: values.container } : {}),
      });
    case 'smoke':
      return cluster.runClusterSmoke(dir, { ...flags, ...(values.sample ? { sample: values.sample } : {}), ...(values.expect ? { expect: values.expect } : {}) });
    case 'port-forward':
      return cluster.runPortForward(dir, { ...flags, ...(values.port ? { port: values.port } : {}) });
    case 'rollback':
      return cluster.runRollback(dir, { ...flags, ...(values['to-revision'] ? { toRevision: values['to-revision'] } : {}) });
    default:
      return cluster.runUndeploy(dir, flags);
  }
}

const SHIP_COMMANDS = new Set(['build', 'run', 'smoke', 'logs', 'stop', 'push', 'ps']);

async function runShipCommand(command: string, args: string[]): Promise<number> {
  const { values, positionals } = parseShipArgs(args);
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`${command} takes one folder, got ${positionals.length}: ${positionals.join(' ')}`);
  const dir = positionals[0] ?? '.';
  const json = values.json === true;
  try {
    return await dispatchShipCommand(command, dir, positionals[0], values, json);
  } catch (error) {
    // The adapters' hints name no flags (the extension shows them too); here the flag is the fix.
    const flagHint = isModelshipError(error) ? SHIP_FLAG_HINTS[error.code] : undefined;
    if (isModelshipError(error) && flagHint) throw new ModelshipError(error.code, error.message, flagHint, error.details);
    throw error;
  }
}

const SHIP_FLAG_HINTS: Record<string, string> = {
  NO_REGISTRY: 'Pass --to REGISTRY[/NAMESPACE], e.g. --to ghcr.io/acme.',
  NO_SAMPLE: 'Save a request body as sample.json in the project, or pass --sample FILE.',
  PORT_IN_USE: 'Pick another with --port N, or leave --port out to get a free one.',
  NOT_READY: 'Large models take longer to load: pass a longer --timeout SECONDS.',
  IMAGE_NOT_FOUND: 'Build it first: modelship build',
  NO_IMAGE_REF: 'Pass --tag NAME:TAG, or run `modelship containerize` to generate a Dockerfile that names its image.',
};

type ShipValues = ReturnType<typeof parseShipArgs>['values'];

function parseShipArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, tag: { type: 'string', multiple: true }, 'build-arg': { type: 'string', multiple: true },
      target: { type: 'string' }, 'no-cache': { type: 'boolean' }, builder: { type: 'string' }, quiet: { type: 'boolean', short: 'q' }, secret: { type: 'string', multiple: true },
      port: { type: 'string', short: 'p' }, gpu: { type: 'boolean' }, gpus: { type: 'string' }, env: { type: 'string', multiple: true, short: 'e' },
      timeout: { type: 'string' }, 'no-wait': { type: 'boolean' }, 'no-limits': { type: 'boolean' }, url: { type: 'string' }, sample: { type: 'string' }, expect: { type: 'string' }, follow: { type: 'boolean', short: 'f' },
      tail: { type: 'string' }, to: { type: 'string' }, all: { type: 'boolean', short: 'a' },
    },
  });
}

async function dispatchShipCommand(command: string, dir: string, given: string | undefined, values: ShipValues, json: boolean): Promise<number> {
  const ship = commands.ship();
  switch (command) {
    case 'build':
      return ship.runBuild(dir, { ...(values.tag ? { tag: values.tag } : {}), ...(values['build-arg'] ? { buildArg: values['build-arg'] } : {}), ...(values.target ? { target: values.target } : {}), noCache: values['no-cache'] === true, ...(values.builder ? { builder: values.builder } : {}), ...(values.secret ? { secret: values.secret } : {}), json, quiet: values.quiet === true });
    case 'run':
      return ship.runRun(dir, { ...(values.port ? { port: values.port } : {}), gpu: values.gpu === true, ...(values.gpus ? { gpus: values.gpus } : {}), ...(values.env ? { env: values.env } : {}), ...(values.tag?.[0] ? { tag: values.tag[0] } : {}), ...(values.timeout ? { timeout: values.timeout } : {}), wait: values['no-wait'] !== true, limits: values['no-limits'] !== true, json });
    case 'smoke':
      return ship.runSmoke(dir, { ...(values.url ? { url: values.url } : {}), ...(values.sample ? { sample: values.sample } : {}), ...(values.expect ? { expect: values.expect } : {}), json });
    case 'logs':
      return ship.runLogs(dir, { follow: values.follow === true, ...(values.tail ? { tail: values.tail } : {}) });
    case 'stop':
      return ship.runStop(dir, { json });
    case 'push':
      return ship.runPush(dir, { ...(values.to ? { to: values.to } : {}), ...(values.tag?.[0] ? { tag: values.tag[0] } : {}), json });
    default:
      return ship.runPs(given, { json, all: values.all === true });
  }
}

/** The stack, and the stacks of its causes, for --verbose. */
function traceOf(error: unknown): string {
  const lines: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    lines.push(`${depth === 0 ? '' : 'Caused by: '}${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  }
  return lines.join('\n');
}

function report(error: unknown): number {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`modelship: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (isModelshipError(error)) {
    process.stderr.write(formatModelshipError(error));
    if (isVerbose()) process.stderr.write(`${traceOf(error)}\n`);
    return 2;
  }
  process.stderr.write(`modelship: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = report(error);
  },
);
