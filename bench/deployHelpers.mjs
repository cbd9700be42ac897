// What bench/deploy.mjs needs around the lab: finding the cluster and the engine (or why not),
// kubectl on it, the containerized iris project, timed processes, and a pod watch whose events
// are timestamped as they arrive.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import testInfra from '../test/helpers/testInfra.js';

export const CLI = join(process.cwd(), 'dist/cli.js');
export const REGISTRY = process.env.MODELSHIP_TEST_REGISTRY ?? 'localhost:5000';

/** The lab as the integration tests find it, or `{ unavailable }` saying what is missing. */
export function findLab() {
  if (!existsSync(CLI)) return { unavailable: 'no dist/cli.js: run `node scripts/build.mjs` first' };
  const kubeconfig = process.env.MODELSHIP_TEST_KUBECONFIG || join(process.env.HOME ?? homedir(), '.cache', 'kube-lab', 'kubeconfig');
  if (!existsSync(kubeconfig)) return { unavailable: `no cluster: ${kubeconfig} does not exist (run \`bash ../shared/kube-lab/up.sh\` or set MODELSHIP_TEST_KUBECONFIG)` };
  const kubectlPath = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).error ? join(dirname(kubeconfig), 'bin', 'kubectl') : 'kubectl';
  const kubectl = (args, options = {}) => {
    const res = spawnSync(kubectlPath, ['--kubeconfig', kubeconfig, '--context', 'lab-admin', ...args], { encoding: 'utf8', timeout: 60_000, ...options });
    if (res.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${(res.stderr || res.error?.message || '').trim()}`);
    return res.stdout;
  };
  try {
    kubectl(['get', '--raw', '/readyz', '--request-timeout=5s']);
  } catch (error) {
    return { unavailable: `no cluster: ${kubeconfig} does not answer (${error.message.slice(0, 200)})` };
  }
  const engine = spawnSync('docker', ['image', 'inspect', testInfra.TEST_BASE_IMAGE, '--format', '{{index .Config.Labels "org.modelship.base-provides"}}'], { encoding: 'utf8' });
  if (engine.error || engine.status !== 0) return { unavailable: `no Docker engine with the test base image ${testInfra.TEST_BASE_IMAGE} (npm run setup:engine): ${(engine.stderr || engine.error?.message || '').trim().slice(0, 200)}` };
  const kubectlVersion = /v\d+\.\d+\.\d+/.exec(kubectl(['version', '--client', '-o', 'json']))?.[0] ?? 'unknown';
  return { kubeconfig, kubectlPath, kubectl, kubectlVersion, baseProvides: engine.stdout.trim(), env: { ...process.env, KUBECONFIG: kubeconfig } };
}

/** `command args` to exit, its wall time in ms; throws with stderr unless it exits 0. */
export function timed(command, args, env) {
  const started = process.hrtime.bigint();
  const res = spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${res.status ?? res.signal}):\n${res.stderr}`);
  return { ms, stdout: res.stdout, stderr: res.stderr };
}

export function replaceIn(file, from, to) {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file} does not hold ${String(from)}`);
  writeFileSync(file, next);
}

/**
 * The iris example containerized against the test base image and built, in a temp dir of its own
 * (the service is named after its folder). The pods' CPU request is cut to 10m, for every
 * contender alike: the lab is one 2-CPU node that other test runs share, and 250m pods soon leave
 * a rollout's surge pod unschedulable. The image gets a repository of its own (IMAGE): other runs
 * on this engine build and push iris-sklearn too, and would move its tag under us.
 */
export function containerizedIris(lab, image) {
  const parent = mkdtempSync(join(tmpdir(), 'ms-bench-deploy-'));
  const dir = join(parent, 'iris-sklearn');
  cpSync('examples/iris-sklearn', dir, { recursive: true });
  // Preparing the project is not measured; the V8 code cache is kept out of it.
  const env = { ...lab.env, MODELSHIP_NO_CODE_CACHE: '1' };
  timed(process.execPath, [CLI, 'containerize', dir, '--force', '--base-image', testInfra.TEST_BASE_IMAGE, '--base-provides', lab.baseProvides, '--only', 'dockerfile,app,k8s', '--image', image], env);
  timed(process.execPath, [CLI, 'build', dir, '--quiet'], env);
  replaceIn(join(dir, 'deploy/k8s/base/deployment.yaml'), /(requests:\n\s+cpu: )\d+m/, '$110m');
  return { parent, dir, image };
}

/** A copy of the project with `edit(dir)` applied. */
export function variant(project, name, edit) {
  const dir = join(mkdtempSync(join(project.parent, `${name}-`)), 'iris-sklearn');
  cpSync(project.dir, dir, { recursive: true });
  edit(dir);
  return dir;
}

/** Sets (or replaces) `commonAnnotations` in the staging overlay: a new pod template, a new revision. */
export function setRoundAnnotation(dir, round) {
  const file = join(dir, 'deploy/k8s/overlays/staging/kustomization.yaml');
  const text = readFileSync(file, 'utf8').replace(/\ncommonAnnotations:\n {2}modelship\.bench\/round: "\d+"/, '');
  const next = text.replace(/\nresources:/, `\ncommonAnnotations:\n  modelship.bench/round: "${round}"\nresources:`);
  if (next === text) throw new Error(`${file} has no resources: list to put the round's annotation before`);
  writeFileSync(file, next);
}

/** Runs the CLI with stdout and stderr read line by line, each line stamped (performance.now()) as it arrives. */
export function spawnStamped(args, env, onLine) {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  for (const stream of ['stdout', 'stderr']) {
    createInterface({ input: child[stream] }).on('line', (text) => {
      const line = { at: performance.now(), stream, text };
      lines.push(line);
      onLine?.(line);
    });
  }
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? signal)));
  return { child, lines, exited };
}

/**
 * `kubectl get pods -w -o json --output-watch-events` in NS; `onEvent(event, at)` for each event
 * as it arrives. kubectl prints an event on one line (1.25+) or as indented JSON (1.24), so the
 * lines gather until they parse.
 */
export function watchPods(lab, ns, onEvent) {
  const child = spawn(lab.kubectlPath, ['--kubeconfig', lab.kubeconfig, '--context', 'lab-admin', 'get', 'pods', '-n', ns, '-w', '-o', 'json', '--output-watch-events'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let buffer = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    buffer.push(line);
    if (!line.endsWith('}')) return;
    const at = performance.now();
    let event;
    try {
      event = JSON.parse(buffer.join('\n'));
    } catch {
      return; // an inner closing brace: the event goes on
    }
    buffer = [];
    onEvent(event, at);
  });
  return () => child.kill();
}

/** The failure a pod shows in the API, if any: the scheduler's refusal, or a container that exited non-zero. */
export function podFailure(pod) {
  const unschedulable = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
  if (unschedulable) return `Unschedulable: ${unschedulable.message}`;
  for (const c of pod.status?.containerStatuses ?? []) {
    if (c.state?.waiting?.reason === 'CrashLoopBackOff') return `CrashLoopBackOff (${c.name})`;
    const exit = c.state?.terminated?.exitCode || c.lastState?.terminated?.exitCode;
    if (exit) return `${c.name} exited with code ${exit}`;
  }
  return undefined;
}

/** Removes the local tags of IMAGE (built, and re-tagged for the registry); the registry keeps its copy. */
export function removeImages(image) {
  const res = spawnSync('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' });
  const tags = (res.stdout ?? '').split('\n').filter((t) => t.startsWith(`${image}:`) || t.startsWith(`${REGISTRY}/${image}:`));
  if (tags.length > 0) spawnSync('docker', ['image', 'rm', ...tags], { stdio: 'ignore' });
}

export function deleteNamespaces(lab, namespaces) {
  for (const ns of namespaces) {
    try {
      lab.kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
    } catch {
      // Best effort: a namespace that is already gone is fine.
    }
  }
}
