// Building through the Engine API against `docker build` on the same context, the context holding a
// 2 GB data/ folder that .dockerignore keeps out; and cold start to /readyz.
//   - build: cached rebuilds (what a user waits for after editing the app) and --no-cache builds,
//     round-robin medians; classic builder against the docker 28 CLI (DOCKER_BUILDKIT=0), BuildKit
//     against Debian's docker 20.10 CLI (DOCKER_BUILDKIT=1). "api" is a long-lived process that
//     builds through the adapter (as the extension does, bench/buildWorker.ts); "modelship build" is
//     the CLI end to end, which also pays for starting Node and loading dockerode each time.
//     Target: api / docker build <= 1.05.
//   - bytes read: what `modelship build --json` read from disk against what it sent (data/ is 2 GB).
//   - cold start: `modelship run` (create, start, wait for /readyz) against `docker run -d` plus
//     polling /readyz the same way.
// Needs the engine and the test base image (npm run setup:engine) and a built dist/.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, rmSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commit, median } from './common.mjs';
import testInfra from '../test/helpers/testInfra.js';

const CLI = join(process.cwd(), 'dist/cli.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

function timed(command, args, env = {}) {
  const started = process.hrtime.bigint();
  const res = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${res.status}):\n${res.stderr}`);
  return { ms, stdout: res.stdout };
}

function project() {
  const dir = join(mkdtempSync(join(tmpdir(), 'ms-bench-build-')), 'iris');
  cpSync('examples/iris-sklearn', dir, { recursive: true });
  const provides = execFileSync('docker', ['image', 'inspect', testInfra.TEST_BASE_IMAGE, '--format', '{{index .Config.Labels "org.modelship.base-provides"}}'], { encoding: 'utf8' }).trim();
  execFileSync(process.execPath, [CLI, 'containerize', dir, '--only', 'dockerfile,app', '--force', '--no-pip-secrets', '--base-image', testInfra.TEST_BASE_IMAGE, '--base-provides', provides], { stdio: 'ignore' });
  // 2 GB of "training data" next to the model, as sparse files: sending it would cost reads, not disk.
  mkdirSync(join(dir, 'data/raw'), { recursive: true });
  for (let i = 0; i < 4; i++) {
    const fd = openSync(join(dir, `data/raw/part-${i}.parquet`), 'w');
    ftruncateSync(fd, 512 * 1024 * 1024);
    closeSync(fd);
  }
  return dir;
}

async function roundRobin(cases, rounds) {
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) for (const [name, run] of Object.entries(cases)) times[name].push(await run());
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

/** bench/buildWorker.ts in a child: `build(line)` resolves with [ms, bytesRead, contextBytes]. */
async function startWorker(dir, tag) {
  const child = spawn(process.execPath, ['--require', './scripts/registerTextLoader.cjs', '--import', 'tsx', 'bench/buildWorker.ts', dir, tag], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => (await lines.next()).value;
  if ((await next()) !== 'ready') throw new Error('the build worker did not start');
  return {
    build: async (line) => {
      child.stdin.write(`${line}\n`);
      const answer = await next();
      if (!answer) throw new Error(`the build worker died on "${line}"`);
      return answer.split(' ').map(Number);
    },
    stop: () => child.kill(),
  };
}

function readyLoop(url, timeoutMs = 60_000) {
  // The same polling the CLI does (every 250 ms), done by curl so no Node start-up is counted twice.
  const script = `for i in $(seq 1 ${Math.ceil(timeoutMs / 250)}); do curl -fs -o /dev/null ${url}/readyz && exit 0; sleep 0.25; done; exit 1`;
  execFileSync('sh', ['-c', script]);
}

export async function benchBuild() {
  const dir = project();
  const tags = { api: 'bench-build-api:1', cli: 'bench-build-cli:1' };
  try {
    // Warm both builders' caches once.
    timed(process.execPath, [CLI, 'build', dir, '--quiet', '--builder', 'legacy', '--tag', tags.api]);
    timed('/usr/local/bin/docker', ['build', '-q', '-t', tags.cli, dir], { DOCKER_BUILDKIT: '0' });
    timed(process.execPath, [CLI, 'build', dir, '--quiet', '--builder', 'buildkit', '--tag', tags.api]);
    timed('/usr/bin/docker', ['build', '-q', '-t', tags.cli, dir], { DOCKER_BUILDKIT: '1' });

    const worker = await startWorker(dir, tags.api);
    let cached;
    let noCache;
    try {
      await worker.build('legacy');
      await worker.build('buildkit');
      cached = await roundRobin({
        apiLegacy: async () => (await worker.build('legacy'))[0],
        cliLegacy: () => timed('/usr/local/bin/docker', ['build', '-q', '-t', tags.cli, dir], { DOCKER_BUILDKIT: '0' }).ms,
        modelshipLegacy: () => timed(process.execPath, [CLI, 'build', dir, '--quiet', '--builder', 'legacy', '--tag', tags.api]).ms,
        apiBuildKit: async () => (await worker.build('buildkit'))[0],
        cliBuildKit: () => timed('/usr/bin/docker', ['build', '-q', '-t', tags.cli, dir], { DOCKER_BUILDKIT: '1' }).ms,
        modelshipBuildKit: () => timed(process.execPath, [CLI, 'build', dir, '--quiet', '--builder', 'buildkit', '--tag', tags.api]).ms,
      }, ROUNDS);
      noCache = await roundRobin({
        apiLegacy: async () => (await worker.build('legacy nocache'))[0],
        cliLegacy: () => timed('/usr/local/bin/docker', ['build', '-q', '--no-cache', '-t', tags.cli, dir], { DOCKER_BUILDKIT: '0' }).ms,
        apiBuildKit: async () => (await worker.build('buildkit nocache'))[0],
        cliBuildKit: () => timed('/usr/bin/docker', ['build', '-q', '--no-cache', '-t', tags.cli, dir], { DOCKER_BUILDKIT: '1' }).ms,
      }, Math.max(3, Math.ceil(ROUNDS / 2)));
    } finally {
      worker.stop();
    }

    const json = JSON.parse(timed(process.execPath, [CLI, 'build', dir, '--json', '--builder', 'legacy', '--tag', tags.api]).stdout);

    // Cold start: a fresh container from the built image until /readyz answers 200.
    const starts = await roundRobin({
      api: () => {
        // The whole command: engine connection, create, start, and polling until /readyz is 200.
        const run = timed(process.execPath, [CLI, 'run', dir, '--json', '--tag', tags.api]);
        timed(process.execPath, [CLI, 'stop', dir]);
        return run.ms;
      },
      cli: () => {
        const started = process.hrtime.bigint();
        const id = execFileSync('docker', ['run', '-d', '-p', '127.0.0.1::8080', tags.cli], { encoding: 'utf8' }).trim();
        const port = execFileSync('docker', ['port', id, '8080/tcp'], { encoding: 'utf8' }).trim().split(':').pop();
        readyLoop(`http://127.0.0.1:${port}`);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
        return ms;
      },
    }, 5);
    return {
      commit: commit(),
      rounds: ROUNDS,
      cached: { ...cached, legacyRatio: cached.apiLegacy / cached.cliLegacy, buildKitRatio: cached.apiBuildKit / cached.cliBuildKit, cliStartupMs: (cached.modelshipLegacy - cached.apiLegacy + cached.modelshipBuildKit - cached.apiBuildKit) / 2 },
      noCache: { ...noCache, legacyRatio: noCache.apiLegacy / noCache.cliLegacy, buildKitRatio: noCache.apiBuildKit / noCache.cliBuildKit },
      context: { sentBytes: json.context.bytes, files: json.context.files, bytesRead: json.bytesRead, ignoredBytes: 4 * 512 * 1024 * 1024 },
      coldStart: { modelshipRunMs: starts.api, dockerRunPlusPollMs: starts.cli, ratio: starts.api / starts.cli },
    };
  } finally {
    spawnSync('docker', ['image', 'rm', '-f', tags.api, tags.cli], { stdio: 'ignore' });
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
}

export function printBuild(r) {
  const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`build through the Engine API vs docker build (same context, medians of ${r.rounds}; commit ${r.commit})`);
  console.log(`  cached rebuild   classic: ${f(r.cached.apiLegacy)} vs ${f(r.cached.cliLegacy)} = ${r.cached.legacyRatio.toFixed(3)}x   BuildKit: ${f(r.cached.apiBuildKit)} vs ${f(r.cached.cliBuildKit)} = ${r.cached.buildKitRatio.toFixed(3)}x`);
  console.log(`  modelship build (CLI, end to end): classic ${f(r.cached.modelshipLegacy)}, BuildKit ${f(r.cached.modelshipBuildKit)}: ~${Math.round(r.cached.cliStartupMs)} ms of it is starting Node and loading the engine client`);
  console.log(`  --no-cache       classic: ${f(r.noCache.apiLegacy)} vs ${f(r.noCache.cliLegacy)} = ${r.noCache.legacyRatio.toFixed(3)}x   BuildKit: ${f(r.noCache.apiBuildKit)} vs ${f(r.noCache.cliBuildKit)} = ${r.noCache.buildKitRatio.toFixed(3)}x`);
  console.log(`  context: sent ${r.context.sentBytes} bytes in ${r.context.files} files, read ${r.context.bytesRead} bytes from disk; the ${(r.context.ignoredBytes / 2 ** 30).toFixed(0)} GiB data/ folder .dockerignore keeps out: 0 bytes read`);
  console.log(`  cold start to /readyz: modelship run ${f(r.coldStart.modelshipRunMs)} vs docker run + polling ${f(r.coldStart.dockerRunPlusPollMs)} = ${r.coldStart.ratio.toFixed(2)}x`);
}
