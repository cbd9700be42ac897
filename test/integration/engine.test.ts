// Smoke test for the real Docker engine the integration tests run against (scripts/docker/start-engine.sh) and the
// base image built from Debian packages (scripts/docker/build-base-images.sh): the engine answers on its Unix socket,
// the test base image (modelship-test/python:3.11-slim) has scikit-learn 1.2.1, and a build that reuses it needs no
// network.
//
// Without a reachable engine (or without the test base image) this skips, saying why; under CI it fails instead.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ENGINE_SOCKET, engineRequest } from '../helpers/engineSocket';
import { classifyBaseLabels, SETUP_ENGINE, skipBecause, TEST_BASE_IMAGE as BASE, type Missing } from '../helpers/testInfra';

const SOCKET = ENGINE_SOCKET;

/** GET `path` from the engine's API over its Unix socket. */
const engineGet = (path: string, timeoutMs = 5000) => engineRequest('GET', path, timeoutMs);

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function docker(args: string[], timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile('docker', args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr: stderr || (err && code !== 0 ? String(err.message) : '') });
    });
  });
}

interface EngineVersion {
  Version: string;
  ApiVersion: string;
  Os?: string;
}

/** Probed once: the engine's version, or why it cannot be used. */
const engine: Promise<{ version: EngineVersion } | Missing> = engineGet('/version').then(
  (res) => (res.status === 200 ? { version: JSON.parse(res.body) as EngineVersion } : { component: 'Docker engine', missing: `GET /version on ${SOCKET} answered ${res.status}: ${res.body.slice(0, 200)}; run ${SETUP_ENGINE}` }),
  (err: Error) => ({ component: 'Docker engine', missing: `no Docker engine on ${SOCKET} (${err.message}): run ${SETUP_ENGINE}` }),
);

interface ImageInspect {
  Id: string;
  Config?: { Labels?: Record<string, string> | null };
}

/** Probed once: the base image's inspect data, or why it is not the test base. */
const baseImage: Promise<{ image: ImageInspect } | Missing> = engine.then(async (e) => {
  if ('missing' in e) return e;
  const res = await engineGet(`/images/${encodeURIComponent(BASE)}/json`);
  if (res.status !== 200) return { component: 'test base image', missing: `the engine has no test base image ${BASE} (GET /images/${BASE}/json answered ${res.status}): run \`bash scripts/docker/build-base-images.sh\` (as root)` };
  const image = JSON.parse(res.body) as ImageInspect;
  const labels = classifyBaseLabels(image.Config?.Labels);
  return 'missing' in labels ? labels : { image };
});

/** Skips the test (or, under CI, fails it) when a precondition is missing; true when the test should go on. */
function need(t: { skip: (message?: string) => void }, probe: Missing | object): boolean {
  if (!('missing' in probe)) return true;
  skipBecause(t, probe);
  return false;
}

const cleanups: (() => Promise<unknown> | void)[] = [];
after(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

test('the engine answers GET /version on its Unix socket', async (t) => {
  const e = await engine;
  if (!need(t, e) || !('version' in e)) return;
  assert.match(e.version.Version, /^\d+\.\d+/, `engine version: ${JSON.stringify(e.version)}`);
  assert.match(e.version.ApiVersion, /^1\.\d+$/);
  const ping = await engineGet('/_ping');
  assert.equal(ping.status, 200);
  assert.equal(ping.body, 'OK');
  console.log(`engine ${e.version.Version} (API ${e.version.ApiVersion}) on ${SOCKET}`);
});

test(`${BASE} is the local test base and provides scikit-learn 1.2.1`, { timeout: 120_000 }, async (t) => {
  const b = await baseImage;
  if (!need(t, b) || !('image' in b)) return;
  const provides = (b.image.Config?.Labels?.['org.modelship.base-provides'] ?? '').split(',');
  assert.ok(provides.includes('scikit-learn==1.2.1'), `org.modelship.base-provides: ${provides.join(',')}`);

  // One container: imports, pip's own consistency check, and the provides file the generator can read.
  const script = [
    "python -c 'import sklearn, fastapi, uvicorn, prometheus_client, joblib; print(\"sklearn=\" + sklearn.__version__)'",
    'pip check --disable-pip-version-check',
    'cat /etc/modelship-provides.txt',
  ].join(' && ');
  const run = await docker(['run', '--rm', '--network', 'none', BASE, 'sh', '-ec', script]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /^sklearn=1\.2\.1$/m);
  assert.match(run.stdout, /^No broken requirements found\.$/m);
  assert.match(run.stdout, /^scikit-learn==1\.2\.1$/m);
});

test(`a docker build FROM ${BASE} installs scikit-learn with no network by reusing the base`, { timeout: 300_000 }, async (t) => {
  const b = await baseImage;
  if (!need(t, b)) return;
  const dir = mkdtempSync(join(tmpdir(), 'ms-engine-build-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      `FROM ${BASE}`,
      'RUN python -m venv --system-site-packages /opt/venv && /opt/venv/bin/pip install --no-cache-dir --no-index scikit-learn==1.2.1',
      '',
    ].join('\n'),
  );
  const tag = `modelship-it/engine-smoke:${process.pid}`;
  cleanups.push(() => docker(['image', 'rm', '--force', tag]));
  // --network none: any attempt to reach an index (or a registry for the base) fails the build.
  // --no-cache: a layer cached from some earlier, networked build must not stand in for this one.
  const build = await docker(['build', '--network', 'none', '--no-cache', '--tag', tag, dir], 280_000);
  assert.equal(build.code, 0, `docker build failed:\n${build.stdout}\n${build.stderr}`);

  const run = await docker(['run', '--rm', '--network', 'none', tag, '/opt/venv/bin/python', '-c', 'import sklearn; print(sklearn.__version__)']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim(), '1.2.1');
});
