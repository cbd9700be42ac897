/**
 * The `modelship` command: parses arguments, calls core, prints results on stdout and logs on
 * stderr. Exit codes follow ESLint's: 0 done, 1 the command found errors, 2 bad usage or failure.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { isModelshipError } from '../core/errors';
// Heavy commands are bundles of their own (dist/cli-<name>.js), required when they run: `detect`
// must not pay for parsing the linters' schemas and the scaffolding templates.
const loadCommand = <T>(name: string): T => require(path.join(__dirname, `cli-${name}.js`)) as T;
const commands = {
  detect: () => require('./commands/detect') as typeof import('./commands/detect'),
  containerize: () => loadCommand<typeof import('./commands/containerize')>('containerize'),
  lint: () => loadCommand<typeof import('./commands/lint')>('lint'),
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
      --dry-run              Print the plan and the diffs; write nothing.
      --force                Overwrite files that differ without asking.

  lint [PATHS...]          Check Dockerfiles, Kubernetes manifests and pickle-family models
                           (a static scan for code that would run on load). Exit 1 on errors.
      --format F             text (default), json (1-based lines) or sarif (GitHub code scanning).
      --kube-version V       Kubernetes version manifests are validated against (default 1.32).
      --disable IDS          Comma-separated rule ids to turn off.

Options:
  -h, --help               Show this help.
  -v, --version            Print the version.
  --verbose                Log details to stderr.`;

declare const MODELSHIP_VERSION: string | undefined;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
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
      options: { json: { type: 'boolean' }, verbose: { type: 'boolean' }, 'no-safety': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (positionals.length > 1) throw new UsageError(`detect takes one folder, got ${positionals.length}: ${positionals.join(' ')}`);
    return commands.detect().runDetect(positionals[0] ?? '.', { json: values.json === true, verbose: values.verbose === true, safety: values['no-safety'] !== true });
  }
  if (command === 'containerize') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        gpu: { type: 'boolean' }, mode: { type: 'string' }, only: { type: 'string' }, 'dry-run': { type: 'boolean' },
        force: { type: 'boolean' }, json: { type: 'boolean' }, 'model-uri': { type: 'string' }, image: { type: 'string' },
        'base-image': { type: 'string' }, 'gpu-base-image': { type: 'string' }, 'base-provides': { type: 'string' }, offline: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('containerize takes one path: the model file, its SavedModel folder, or the project');
    return commands.containerize().runContainerize(positionals[0]!, {
      gpu: values.gpu === true, mode: values.mode ?? 'bake', dryRun: values['dry-run'] === true, force: values.force === true,
      json: values.json === true, offline: values.offline === true,
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
  throw new UsageError(`Unknown command '${command}'.`);
}

class UsageError extends Error {}

function report(error: unknown): number {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`modelship: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (isModelshipError(error)) {
    process.stderr.write(`modelship: ${error.message}\n${error.hint ? `  ${error.hint}\n` : ''}`);
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
