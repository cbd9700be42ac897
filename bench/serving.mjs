// Serving throughput: the generated app against the seeds' sample FastAPI server
// (shared/seeds/000_9143087e228883e5.txt: one row per call), and against in-process predict, on the
// same scikit-learn pipeline, the same machine, the same load (wrk, same connections and duration).
// Needs Debian's python3 with scikit-learn, FastAPI and uvicorn, and wrk.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PYTHON = process.env.MODELSHIP_PYTHON ?? '/usr/bin/python3';
const DURATION = process.env.BENCH_SECONDS ?? '8';
const CONNECTIONS = process.env.BENCH_CONNECTIONS ?? '16';
const EXAMPLE = resolve('examples/iris-sklearn');

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

function freePort() {
  return new Promise((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function waitFor(url, ms = 60000) {
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

async function startServer(cwd, module, env, readyPath) {
  const port = await freePort();
  const child = spawn(PYTHON, ['-m', 'uvicorn', module, '--host', '127.0.0.1', '--port', String(port), '--no-access-log', '--log-level', 'warning'], {
    cwd, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'inherit', 'inherit'], detached: true,
  });
  await waitFor(`http://127.0.0.1:${port}${readyPath}`);
  return { port, stop: () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } } };
}

function wrk(url, body, dir) {
  const script = join(dir, `post-${Math.random().toString(36).slice(2)}.lua`);
  writeFileSync(script, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(body)}\n`);
  const out = execFileSync('wrk', ['-t', '1', '-c', CONNECTIONS, '-d', `${DURATION}s`, '-s', script, '--latency', url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  if (non2xx > 0) throw new Error(`${url}: ${non2xx} failed responses`);
  return rps;
}

function inProcessRowsPerSecond(dir, batch, withProbabilities = false) {
  const call = withProbabilities ? 'm.predict(X); m.predict_proba(X)' : 'm.predict(X)';
  const code = `import joblib, numpy as np, time
m = joblib.load("model.pkl"); X = np.random.RandomState(0).rand(${batch}, 4) * 5
${call}; n = 0; t = time.perf_counter()
while time.perf_counter() - t < 3: ${call}; n += 1
print(n * ${batch} / (time.perf_counter() - t))`;
  return Number(execFileSync(PYTHON, ['-c', code], { cwd: dir, encoding: 'utf8' }).trim());
}

export async function benchServing() {
  const missing = spawnSync(PYTHON, ['-c', 'import sklearn, fastapi, uvicorn, prometheus_client'], { encoding: 'utf8' });
  if (missing.status !== 0) return { skipped: `Debian's python3 with scikit-learn, FastAPI, uvicorn and prometheus_client is needed (${missing.stderr.trim().split('\n').pop()})` };
  if (spawnSync('wrk', ['--version']).error) return { skipped: 'wrk (apt-get install wrk) is needed to load the servers' };

  const dir = mkdtempSync(join(tmpdir(), 'ms-bench-serving-'));
  const project = join(dir, 'iris-sklearn');
  cpSync(EXAMPLE, project, { recursive: true });
  execFileSync(process.execPath, [resolve('dist/cli.js'), 'containerize', project, '--only', 'app'], { stdio: 'ignore' });
  cpSync(join(project, 'model.joblib'), join(project, 'model.pkl'));
  const seedsDir = join(dir, 'seeds');
  mkdirSync(seedsDir);
  writeFileSync(join(seedsDir, 'main.py'), SEEDS_SERVER);
  cpSync(join(project, 'model.joblib'), join(seedsDir, 'model.pkl'));

  const row = [5.1, 3.5, 1.4, 0.2];
  const batch64 = { instances: Array.from({ length: 64 }, (_, i) => row.map((v) => v + (i % 7) * 0.1)) };
  const results = {};
  const seeds = await startServer(seedsDir, 'main:app', {}, '/docs');
  try {
    results.seedsRowsPerSecond = wrk(`http://127.0.0.1:${seeds.port}/predict`, JSON.stringify(row), dir);
  } finally {
    seeds.stop();
  }
  const env = { MODEL_PATH: join(project, 'model.joblib'), MODEL_FORMAT: 'joblib', MODEL_FRAMEWORK: 'sklearn', MODEL_NAME: 'iris-sklearn', WORKERS: '1' };
  const generated = await startServer(project, 'serving.app:app', env, '/readyz');
  try {
    results.generatedRowsPerSecondBatch1 = wrk(`http://127.0.0.1:${generated.port}/predict`, JSON.stringify({ instances: [row] }), dir);
    results.generatedRowsPerSecondBatch64 = 64 * wrk(`http://127.0.0.1:${generated.port}/predict?probabilities=false`, JSON.stringify(batch64), dir);
    results.generatedRowsPerSecondBatch64WithProbabilities = 64 * wrk(`http://127.0.0.1:${generated.port}/predict`, JSON.stringify(batch64), dir);
  } finally {
    generated.stop();
  }
  results.inProcessRowsPerSecondBatch64 = inProcessRowsPerSecond(seedsDir, 64);
  results.inProcessRowsPerSecondBatch1 = inProcessRowsPerSecond(seedsDir, 1);
  results.inProcessWithProbabilitiesRowsPerSecondBatch64 = inProcessRowsPerSecond(seedsDir, 64, true);
  results.ratioWithProbabilitiesToInProcess = results.generatedRowsPerSecondBatch64WithProbabilities / results.inProcessWithProbabilitiesRowsPerSecondBatch64;
  results.ratioGeneratedToSeeds = results.generatedRowsPerSecondBatch64 / results.seedsRowsPerSecond;
  results.ratioGeneratedBatch1ToSeeds = results.generatedRowsPerSecondBatch1 / results.seedsRowsPerSecond;
  results.ratioGeneratedToInProcessBatch64 = results.generatedRowsPerSecondBatch64 / results.inProcessRowsPerSecondBatch64;
  return results;
}

export function printServing(r) {
  if (r.skipped) {
    console.log(`serving: skipped: ${r.skipped}`);
    return;
  }
  const k = (n) => `${(n / 1000).toFixed(1)}k`;
  console.log(`serving (wrk, ${CONNECTIONS} connections, ${DURATION}s each, one uvicorn worker each)`);
  console.log(`  seeds' server, 1 row per call: ${k(r.seedsRowsPerSecond)} rows/s`);
  console.log(`  generated server: ${k(r.generatedRowsPerSecondBatch1)} rows/s at 1 row per call, ${k(r.generatedRowsPerSecondBatch64)} rows/s at 64 rows per call (${k(r.generatedRowsPerSecondBatch64WithProbabilities)} with probabilities)`);
  console.log(`  in-process predict: ${k(r.inProcessRowsPerSecondBatch1)} rows/s at batch 1, ${k(r.inProcessRowsPerSecondBatch64)} rows/s at batch 64`);
  console.log(`  ratio generated (batch 64) / seeds (1 row): ${r.ratioGeneratedToSeeds.toFixed(1)}x  (target >= 3x); at 1 row per call: ${r.ratioGeneratedBatch1ToSeeds.toFixed(2)}x`);
  console.log(`  ratio generated / in-process predict at batch 64: ${(100 * r.ratioGeneratedToInProcessBatch64).toFixed(0)}%  (target >= 25%); with probabilities, against predict + predict_proba: ${(100 * r.ratioWithProbabilitiesToInProcess).toFixed(0)}%`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printServing(await benchServing());
}
