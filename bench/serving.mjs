// Serving throughput, in containers: the generated image against the seeds' sample server image
// (shared/seeds/000_9143087e228883e5.txt: FastAPI, one row per call), both FROM the same base, with
// the same model, the same `docker run --cpus`, loaded by the same wrk. Rounds alternate (ours, seed,
// ours, seed...) so that load from elsewhere on the machine falls on both; the ratio per round, its
// median and spread are reported. In-process predict (the same base, the same --cpus) is the ceiling.
// Needs the engine, the test base image (npm run setup:engine) and wrk.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median } from './common.mjs';

const BASE = process.env.BENCH_BASE_IMAGE ?? 'modelship-test/python-ml:3.11-bookworm';
const DURATION = process.env.BENCH_SECONDS ?? '6';
const CONNECTIONS = process.env.BENCH_CONNECTIONS ?? '64';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '5');
// The containers get all CPUs but one, which wrk keeps: on a 2-core machine a 2-CPU server would
// compete with its own load generator (measured: 2 workers under --cpus=2 scored about half of
// 1 worker under the same flag), which says more about wrk than about the server.
const CPUS = process.env.BENCH_CPUS ?? String(Math.max(1, cpus().length - 1));
// BENCH_WORKERS=1 runs the generated image as it was before WORKERS=auto, for a before/after.
const WORKERS = process.env.BENCH_WORKERS;
const EXAMPLE = resolve('examples/iris-sklearn');
const TAGS = { generated: 'modelship-bench/serving-generated:1', seed: 'modelship-bench/serving-seed:1' };

const SEEDS_SERVER = `# The seeds' sample server, verbatim but for the indentation the article lost.
from fastapi import FastAPI
import joblib
import numpy as np
app = FastAPI()
model = joblib.load("model.pkl")
@app.post("/predict")
def predict(data: list):
    features = np.array(data).reshape(1, -1)
    prediction = model.predict(features)
    return {"prediction": prediction.tolist()}
`;

// The seeds' Dockerfile on the generated image's base. Its `RUN pip install fastapi uvicorn
// scikit-learn numpy` is left out: the base has them and nothing can be downloaded here.
const SEEDS_DOCKERFILE = `FROM ${BASE}
COPY . /app
WORKDIR /app
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "80"]
`;

const docker = (...args) => execFileSync('docker', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trim();

async function waitFor(url, ms = 90000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} never answered 200`);
}

/** Starts `image` with the CPU quota; answers its address on the bridge (no userland proxy in the way). */
async function start(image, port, readyPath, env = []) {
  const id = docker('run', '-d', '--rm', '--network', 'bridge', `--cpus=${CPUS}`, ...env.flatMap((e) => ['-e', e]), image);
  const ip = docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', id);
  await waitFor(`http://${ip}:${port}${readyPath}`);
  return { id, url: `http://${ip}:${port}` };
}

function wrk(url, body, dir) {
  const script = join(dir, `post-${Math.random().toString(36).slice(2)}.lua`);
  writeFileSync(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(body)}\n`);
  const out = execFileSync('wrk', ['-t', '1', '-c', CONNECTIONS, '-d', `${DURATION}s`, '-s', script, url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  if (non2xx > 0) throw new Error(`${url}: ${non2xx} failed responses`);
  return rps;
}

/** Rows per second of model.predict at batch 1 and 64, in one process of the base image's container. */
function inProcessRowsPerSecond(containerId) {
  const code = `import joblib, numpy as np, time
m = joblib.load("/m/model.pkl")
for batch in (1, 64):
    X = np.random.RandomState(0).rand(batch, 4) * 5
    m.predict(X); n = 0; t = time.perf_counter()
    while time.perf_counter() - t < 3: m.predict(X); n += 1
    print(n * batch / (time.perf_counter() - t))`;
  const [batch1, batch64] = docker('exec', containerId, 'python3', '-c', code).split('\n').map(Number);
  return { batch1, batch64 };
}

function buildImages(dir) {
  const project = join(dir, 'iris-sklearn');
  cpSync(EXAMPLE, project, { recursive: true });
  const provides = join(dir, 'provides.txt');
  writeFileSync(provides, docker('run', '--rm', '--network', 'none', BASE, 'cat', '/etc/modelship-provides.txt'));
  execFileSync(process.execPath, [resolve('dist/cli.js'), 'containerize', project, '--only', 'dockerfile,app', '--no-pip-secrets', '--base-image', BASE, '--base-provides', `@${provides}`, '--force'], { stdio: 'ignore' });
  const seedsDir = join(dir, 'seeds');
  mkdirSync(seedsDir);
  writeFileSync(join(seedsDir, 'main.py'), SEEDS_SERVER);
  writeFileSync(join(seedsDir, 'Dockerfile'), SEEDS_DOCKERFILE);
  cpSync(join(project, 'model.joblib'), join(seedsDir, 'model.pkl'));
  docker('build', '--network', 'none', '-q', '-t', TAGS.generated, project);
  docker('build', '--network', 'none', '-q', '-t', TAGS.seed, seedsDir);
  return seedsDir;
}

export async function benchServing() {
  if (spawnSync('docker', ['image', 'inspect', BASE]).status !== 0) return { skipped: `no Docker engine with the base image ${BASE} (npm run setup:engine as root)` };
  if (spawnSync('wrk', ['--version']).error) return { skipped: 'wrk (apt-get install wrk) is needed to load the servers' };

  const dir = mkdtempSync(join(tmpdir(), 'ms-bench-serving-'));
  const running = [];
  try {
    const seedsDir = buildImages(dir);
    const row = [5.1, 3.5, 1.4, 0.2];
    const batch64 = { instances: Array.from({ length: 64 }, (_, i) => row.map((v) => v + (i % 7) * 0.1)) };
    const ours = await start(TAGS.generated, 8080, '/readyz', WORKERS ? [`WORKERS=${WORKERS}`] : []);
    running.push(ours.id);
    const seed = await start(TAGS.seed, 80, '/docs');
    running.push(seed.id);
    const inProcessId = docker('run', '-d', '--rm', '--network', 'none', `--cpus=${CPUS}`, '-v', `${seedsDir}:/m:ro`, BASE, 'sleep', 'infinity');
    running.push(inProcessId);
    // uvicorn's workers are multiprocessing children; one worker runs in uvicorn's own process.
    const spawned = 'import os; print(sum(1 for p in os.listdir("/proc") if p.isdigit() and p != str(os.getpid()) and b"spawn_main" in open(f"/proc/{p}/cmdline", "rb").read()))';
    const workers = Math.max(1, Number(docker('exec', ours.id, 'python3', '-c', spawned)));
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) {
      const generated = wrk(`${ours.url}/predict`, JSON.stringify({ instances: [row] }), dir);
      const seeds = wrk(`${seed.url}/predict`, JSON.stringify(row), dir);
      const generatedBatch64Rows = 64 * wrk(`${ours.url}/predict?probabilities=false`, JSON.stringify(batch64), dir);
      const inProcess = inProcessRowsPerSecond(inProcessId);
      rounds.push({
        generated, seeds, ratio: generated / seeds, generatedBatch64Rows, inProcessBatch1: inProcess.batch1, inProcessBatch64: inProcess.batch64,
        shareBatch1: generated / inProcess.batch1, shareBatch64: generatedBatch64Rows / inProcess.batch64,
      });
    }
    const ratios = rounds.map((r) => r.ratio);
    return {
      cpus: CPUS, workers: WORKERS ?? 'auto', connections: CONNECTIONS, seconds: DURATION, base: BASE, loadAverage: execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim(),
      workerProcesses: workers,
      rounds, medianRatio: median(ratios), minRatio: Math.min(...ratios), maxRatio: Math.max(...ratios),
      inProcessBatch1: median(rounds.map((r) => r.inProcessBatch1)), inProcessBatch64: median(rounds.map((r) => r.inProcessBatch64)),
      shareOfInProcessBatch1: median(rounds.map((r) => r.shareBatch1)),
      shareOfInProcessBatch64: median(rounds.map((r) => r.shareBatch64)),
    };
  } finally {
    for (const id of running) spawnSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
    spawnSync('docker', ['image', 'rm', '-f', TAGS.generated, TAGS.seed], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printServing(r) {
  if (r.skipped) {
    console.log(`serving: skipped: ${r.skipped}`);
    return;
  }
  const k = (n) => `${(n / 1000).toFixed(2)}k`;
  const pct = (n) => `${(100 * n).toFixed(0)}%`;
  console.log(`serving in containers (--cpus=${r.cpus}, base ${r.base}; wrk ${r.connections} connections, ${r.seconds}s; load average ${r.loadAverage})`);
  console.log(`  generated image: ${r.workerProcesses ?? '?'} uvicorn processes (WORKERS=${r.workers}); seeds' image: uvicorn main:app, 1 process`);
  r.rounds.forEach((x, i) => {
    console.log(`  round ${i + 1}: 1 row per call: generated ${k(x.generated)} req/s, seeds ${k(x.seeds)} req/s: ${x.ratio.toFixed(2)}x; in-process ${k(x.inProcessBatch1)}/s: ${pct(x.shareBatch1)}` +
      `; 64 rows per call: generated ${k(x.generatedBatch64Rows)} rows/s, in-process ${k(x.inProcessBatch64)}: ${pct(x.shareBatch64)}`);
  });
  console.log(`  ratio generated / seeds at 1 row per call: median ${r.medianRatio.toFixed(2)}x, spread ${r.minRatio.toFixed(2)}-${r.maxRatio.toFixed(2)}x  (target >= 3x)`);
  console.log(`  in-process predict (one process, same base and quota, measured in each round): median ${k(r.inProcessBatch1)} rows/s at batch 1, ${k(r.inProcessBatch64)} rows/s at batch 64`);
  console.log(`  generated / in-process, median of the rounds: ${pct(r.shareOfInProcessBatch1)} at 1 row per call (target >= 40%), ${pct(r.shareOfInProcessBatch64)} at 64 rows per call (target >= 25%)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printServing(await benchServing());
}
