// The cluster paths a user waits on, on the kube lab, each against kubectl in the same run:
//   - deploy: an already-pushed image, each round a new revision (a pod-template annotation in the
//     staging overlay), to Ready: `modelship deploy` (namespace A) against `kubectl apply
//     --server-side -k` of an overlay over the same staging overlay, pinned to the same digest, plus
//     `kubectl rollout status` (namespace B). Alternating which goes first, medians. Goal <= 1.0x.
//   - failure to reason: a pod watch of our own stamps the moment a failure shows in the API
//     (PodScheduled=False/Unschedulable for a GPU no node has; a container exited non-zero or in
//     CrashLoopBackOff for a wrong MODEL_PATH); the CLI's stderr lines are stamped as they arrive;
//     latency = the first line naming the reason - the condition seen. Goal <= 1 s.
//   - status: `modelship status` end to end (a fresh process) against `kubectl get deploy,rs,pods`
//     and a bare `node -e 0`. Goal < 300 ms.
// Each part uses namespaces `ms-bench-…` of its own, deleted at the end. Skips, saying why, without
// the lab (bash ../shared/kube-lab/up.sh), the engine or dist/. BENCH_ROUNDS sets the deploy rounds.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { commit, median } from './common.mjs';
import {
  CLI, REGISTRY, containerizedIris, deleteNamespaces, findLab, podFailure, removeImages, replaceIn, setRoundAnnotation, spawnStamped, timed, variant, watchPods,
} from './deployHelpers.mjs';

const ROUNDS = Math.max(5, Number(process.env.BENCH_ROUNDS ?? 5));
const FAILURE_SAMPLES = 3;
const STATUS_SAMPLES = 9;
const run = `${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;

// The stderr line that names the reason, per failure.
const REASONS = { gpu: /Insufficient nvidia\.com\/gpu/, crash: /exited with code [1-9]|exit code [1-9]|CrashLoopBackOff/i };

/** Up to 100 characters of LINE around the first match of PATTERN. */
function excerpt(line, pattern) {
  const at = Math.max(0, line.search(pattern) - 40);
  return line.slice(at, at + 100);
}

const load = () => loadavg().map((v) => Number(v.toFixed(2)));

function cliDeploy(lab, dir, ns, ...extra) {
  return timed(process.execPath, [CLI, 'deploy', dir, '--context', 'lab-admin', '--namespace', ns, '--registry', REGISTRY, ...extra], lab.env);
}

/** An overlay over the staging overlay: namespace B, the image pinned to the digest modelship pushed. */
function kubectlOverlay(dir, image, ns, digestRef) {
  const [name, digest] = digestRef.split('@');
  const overlay = join(dir, 'deploy/k8s/overlays/bench-kubectl');
  mkdirSync(overlay, { recursive: true });
  writeFileSync(join(overlay, 'kustomization.yaml'), [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    `namespace: ${ns}`,
    'resources:',
    '  - ../staging',
    'images:',
    `  - name: ${image}`,
    `    newName: ${name}`,
    `    digest: ${digest}`,
    '',
  ].join('\n'));
  return overlay;
}

function kubectlDeploy(lab, overlay, ns) {
  const base = ['--kubeconfig', lab.kubeconfig, '--context', 'lab-admin'];
  const started = process.hrtime.bigint();
  timed(lab.kubectlPath, [...base, 'apply', '--server-side', '-k', overlay], lab.env);
  timed(lab.kubectlPath, [...base, 'rollout', 'status', 'deployment/iris-sklearn', '-n', ns, '--timeout=120s'], lab.env);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function benchRollouts(lab, { dir, image }, namespaces) {
  const [a, b] = [`ms-bench-deploy-ms-${run}`, `ms-bench-deploy-kc-${run}`];
  namespaces.push(a, b);
  // Revision 1 in both namespaces, not measured: the push, the namespaces, the first pods.
  const first = cliDeploy(lab, dir, a, '--timeout', '180');
  const digestRef = /running (\S+@sha256:[0-9a-f]{64})/.exec(first.stdout)?.[1];
  if (!digestRef) throw new Error(`modelship deploy printed no digest:\n${first.stdout}\n${first.stderr}`);
  const overlay = kubectlOverlay(dir, image, b, digestRef);
  kubectlDeploy(lab, overlay, b);

  const modelship = [];
  const kubectl = [];
  let pushed = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    setRoundAnnotation(dir, round);
    const contenders = [
      () => {
        const res = cliDeploy(lab, dir, a, '--timeout', '120');
        if (!/pushed already/.test(res.stderr)) pushed++;
        modelship.push(res.ms);
      },
      () => kubectl.push(kubectlDeploy(lab, overlay, b)),
    ];
    if (round % 2 === 0) contenders.reverse();
    for (const contender of contenders) contender();
  }
  // Both ran the same digest and reached the last revision.
  for (const ns of [a, b]) {
    const got = lab.kubectl(['-n', ns, 'get', 'deploy', 'iris-sklearn', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.metadata.annotations.modelship\\.bench/round}']).trim();
    if (got !== `${digestRef} ${ROUNDS}`) throw new Error(`namespace ${ns} runs "${got}", expected "${digestRef} ${ROUNDS}"`);
  }
  return {
    namespace: a,
    digest: digestRef,
    modelshipMs: median(modelship),
    kubectlMs: median(kubectl),
    ratio: median(modelship) / median(kubectl),
    pushedInRounds: pushed,
    samples: { modelship: modelship.map(Math.round), kubectl: kubectl.map(Math.round) },
  };
}

/** One failing deploy in a namespace of its own: the condition seen by our watch, the reason's stderr line. */
async function failureSample(lab, dir, ns, reasonPattern) {
  lab.kubectl(['create', 'namespace', ns]);
  let seen;
  const stopWatch = watchPods(lab, ns, (event, at) => {
    if (seen || event.object?.kind !== 'Pod') return;
    const condition = podFailure(event.object);
    if (condition) seen = { at, condition };
  });
  // The watch connects (well under a second) long before the CLI has rendered and applied anything.
  await sleep(500);
  const started = performance.now();
  let reason;
  const cli = spawnStamped(['deploy', dir, '--context', 'lab-admin', '--namespace', ns, '--registry', REGISTRY, '--timeout', '90'], lab.env, (line) => {
    if (!reason && line.stream === 'stderr' && reasonPattern.test(line.text)) reason = line;
  });
  let exitedAt;
  cli.exited.then(() => (exitedAt = performance.now()));
  const deadline = started + 100_000;
  // Done when both are stamped; a CLI that exited gets 5 s more for the watch to report.
  while (!(reason && seen) && performance.now() < deadline && !(exitedAt && performance.now() - exitedAt > 5_000)) await sleep(10);
  cli.child.kill();
  const code = await cli.exited;
  stopWatch();
  deleteNamespaces(lab, [ns]);
  if (!reason || !seen) {
    const tail = cli.lines.filter((l) => l.stream === 'stderr').slice(-6).map((l) => `    ${l.text}`).join('\n');
    return { ns, error: `${!seen ? 'no failure seen in the API' : 'no stderr line matched ' + reasonPattern}; CLI ended ${code}${tail ? `; its last stderr lines:\n${tail}` : ''}` };
  }
  return {
    ns,
    latencyMs: Math.round(reason.at - seen.at),
    condition: seen.condition,
    line: reason.text.trim(),
    cliStartToConditionMs: Math.round(seen.at - started),
    cliStartToReasonMs: Math.round(reason.at - started),
  };
}

async function benchFailures(lab, project, namespaces) {
  const kinds = {
    gpu: {
      dir: variant(project, 'gpu', (dir) => replaceIn(join(dir, 'deploy/k8s/base/deployment.yaml'), /(limits:\n\s+cpu: "2"\n)(\s+)(memory: \d+Mi)/, '$1$2$3\n$2nvidia.com/gpu: 1')),
      reason: REASONS.gpu,
      samples: [],
    },
    crash: {
      dir: variant(project, 'crash', (dir) => replaceIn(join(dir, 'deploy/k8s/base/configmap.yaml'), 'MODEL_PATH: /models/model.joblib', 'MODEL_PATH: /models/missing.joblib')),
      reason: REASONS.crash,
      samples: [],
    },
  };
  for (let i = 1; i <= FAILURE_SAMPLES; i++) {
    for (const [name, kind] of Object.entries(kinds)) {
      const ns = `ms-bench-${name}-${i}-${run}`;
      namespaces.push(ns);
      kind.samples.push(await failureSample(lab, kind.dir, ns, kind.reason));
    }
  }
  return Object.fromEntries(Object.entries(kinds).map(([name, { samples }]) => {
    const ok = samples.filter((s) => s.latencyMs !== undefined);
    return [name, { medianMs: ok.length > 0 ? median(ok.map((s) => s.latencyMs)) : null, samples }];
  }));
}

function benchStatus(lab, dir, ns) {
  const cases = {
    modelship: () => timed(process.execPath, [CLI, 'status', dir, '--context', 'lab-admin', '--namespace', ns], lab.env).ms,
    kubectl: () => timed(lab.kubectlPath, ['--kubeconfig', lab.kubeconfig, '--context', 'lab-admin', 'get', 'deploy,rs,pods', '-n', ns], lab.env).ms,
    node: () => timed(process.execPath, ['-e', '0'], lab.env).ms,
  };
  // One unmeasured run each: the first also writes the CLI's V8 code cache.
  for (const once of Object.values(cases)) once();
  const times = { modelship: [], kubectl: [], node: [] };
  for (let i = 0; i < STATUS_SAMPLES; i++) for (const [name, once] of Object.entries(cases)) times[name].push(once());
  return {
    modelshipMs: median(times.modelship),
    kubectlMs: median(times.kubectl),
    nodeMs: median(times.node),
    ratio: median(times.modelship) / median(times.kubectl),
    samples: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, v.map(Math.round)])),
  };
}

export async function benchDeploy() {
  const lab = findLab();
  if (lab.unavailable) return { skipped: lab.unavailable };
  const started = performance.now();
  const loadBefore = load();
  const namespaces = [];
  const project = containerizedIris(lab, `ms-bench-iris-${run}`);
  try {
    const deploy = await benchRollouts(lab, project, namespaces);
    const failures = await benchFailures(lab, project, namespaces);
    const status = benchStatus(lab, project.dir, deploy.namespace);
    return {
      commit: commit(),
      kubectl: lab.kubectlVersion,
      node: process.version,
      cpus: cpus().length,
      load: { before: loadBefore, after: load() },
      seconds: Math.round((performance.now() - started) / 1000),
      rounds: ROUNDS,
      deploy,
      failures,
      status,
    };
  } finally {
    deleteNamespaces(lab, namespaces);
    removeImages(project.image);
    rmSync(project.parent, { recursive: true, force: true });
  }
}

export function printDeploy(r) {
  if (r.skipped) {
    console.log(`deploy: skipped, ${r.skipped}`);
    return;
  }
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const goal = (ok) => (ok ? 'meets the goal' : 'MISSES the goal');
  console.log(`deploy on the kube lab (commit ${r.commit}, kubectl ${r.kubectl}, Node ${r.node}; ${r.seconds} s in all)`);
  console.log(`  machine: ${r.cpus} CPUs, load average (1/5/15 min) ${r.load.before.join(' / ')} before, ${r.load.after.join(' / ')} after; the lab is shared with other runs`);
  const d = r.deploy;
  console.log(`  deploy of an already-pushed image, a new revision each round, to Ready (medians of ${r.rounds}, alternating who goes first):`);
  console.log(`    modelship deploy ${s(d.modelshipMs)} vs kubectl apply --server-side -k + rollout status ${s(d.kubectlMs)} = ${d.ratio.toFixed(3)}x (goal <= 1.0x: ${goal(d.ratio <= 1)})`);
  console.log(`    rounds (ms): modelship ${d.samples.modelship.join(', ')}; kubectl ${d.samples.kubectl.join(', ')}${d.pushedInRounds ? `; modelship pushed in ${d.pushedInRounds} rounds` : '; no round pushed'}`);
  console.log(`  failure in the API -> its reason on the CLI's stderr (median of ${r.failures.gpu.samples.length} each; goal <= 1 s):`);
  const labels = { gpu: 'GPU no node has (Unschedulable)', crash: 'wrong MODEL_PATH (exit code / CrashLoopBackOff)' };
  for (const [name, f] of Object.entries(r.failures)) {
    console.log(`    ${labels[name]}: ${f.medianMs === null ? 'no sample' : `${f.medianMs} ms (${goal(f.medianMs <= 1000)})`}`);
    for (const sample of f.samples) {
      if (sample.error) console.log(`      ${sample.ns}: ${sample.error}`);
      else console.log(`      ${sample.latencyMs} ms: "${sample.condition.slice(0, 70)}" seen ${sample.cliStartToConditionMs} ms after the CLI started; printed: "…${excerpt(sample.line, REASONS[name])}…"`);
    }
  }
  const st = r.status;
  console.log(`  modelship status end to end (fresh process, median of ${st.samples.modelship.length}): ${Math.round(st.modelshipMs)} ms (goal < 300 ms: ${goal(st.modelshipMs < 300)})`);
  console.log(`    vs kubectl get deploy,rs,pods ${Math.round(st.kubectlMs)} ms = ${st.ratio.toFixed(2)}x; bare node -e 0 ${Math.round(st.nodeMs)} ms`);
}
