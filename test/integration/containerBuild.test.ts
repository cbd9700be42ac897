// The generated Dockerfile builds on the real engine, with no network, from the local test base
// image (scripts/docker/build-base-images.sh; containerize gets it as --base-image), and the
// container answers /predict with the same predictions as the model in-process
// (examples/iris-sklearn/expected_predictions.json), over V1 and V2, and runs as the non-root user
// with a read-only root filesystem.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import * as http from 'node:http';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { engineUnavailable } from '../helpers/engineHarness';
import { skipBecause, TEST_BASE_IMAGE as BASE } from '../helpers/testInfra';

const CLI = resolve(__dirname, '../../dist/cli.js');
const EXAMPLE = resolve(__dirname, '../../examples/iris-sklearn');

function docker(args: string[], timeoutMs = 600_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile('docker', args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      res({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

/** One HTTP exchange over loopback (node:http keeps the event loop alive while it waits). */
function request(port: string, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((res, rej) => {
    const req = http.request({ host: '127.0.0.1', port: Number(port), method, path, headers: body ? { 'content-type': 'application/json' } : {}, timeout: 10_000 }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => res({ status: response.statusCode ?? 0, text }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', rej);
    req.end(body);
  });
}

async function waitReady(port: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    try {
      if ((await request(port, 'GET', '/readyz')).status === 200) return;
    } catch {
      // Not up yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the container never became ready');
}

test('containerize → docker build (no network) → run → the container serves the same predictions', { timeout: 900_000 }, async (t) => {
  const missing = engineUnavailable();
  if (missing) return skipBecause(t, missing);
  const dir = join(mkdtempSync(join(tmpdir(), 'ms-build-')), 'iris-sklearn');
  cpSync(EXAMPLE, dir, { recursive: true });
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const provides = spawnSync('docker', ['run', '--rm', '--network', 'none', BASE, 'cat', '/etc/modelship-provides.txt'], { encoding: 'utf8' });
  assert.equal(provides.status, 0, provides.stderr);
  writeFileSync(join(dir, '..', 'provides.txt'), provides.stdout);

  // A docker CLI without buildx builds with the classic builder, which cannot parse the default
  // secret mounts for pip's index: ask for the classic-builder form there.
  const classicOnly = spawnSync('docker', ['buildx', 'version'], { encoding: 'utf8' }).status !== 0;
  const cz = spawnSync(process.execPath, [CLI, 'containerize', dir, '--only', 'dockerfile,app', '--base-image', BASE, '--base-provides', `@${join(dir, '..', 'provides.txt')}`, '--json', ...(classicOnly ? ['--no-pip-secrets'] : [])], { encoding: 'utf8' });
  assert.equal(cz.status, 0, cz.stderr);
  const { spec } = JSON.parse(cz.stdout) as { spec: { image: { ref: string }; port: number; name: string } };
  const tag = `modelship-it/${spec.image.ref}`;

  const build = await docker(['build', '--network', 'none', '-t', tag, dir]);
  cleanup.push(() => docker(['image', 'rm', '-f', tag]));
  assert.equal(build.code, 0, `docker build failed:\n${build.stdout.slice(-4000)}\n${build.stderr.slice(-4000)}`);

  const inspect = JSON.parse((await docker(['image', 'inspect', tag])).stdout)[0] as { Config: { User: string; Labels: Record<string, string>; ExposedPorts: Record<string, unknown> } };
  assert.match(inspect.Config.User, /^10001(:10001)?$/);
  assert.ok(inspect.Config.ExposedPorts['8080/tcp']);
  assert.equal(inspect.Config.Labels['io.modelship.model.path'], 'model.joblib');

  const run = await docker(['run', '-d', '--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '-p', '127.0.0.1::8080', tag]);
  assert.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  cleanup.push(() => docker(['rm', '-f', id]));
  const port = (await docker(['port', id, '8080/tcp'])).stdout.trim().split(':').pop()!;
  try {
    await waitReady(port);
  } catch (error) {
    const logs = await docker(['logs', id]);
    throw new Error(`${(error as Error).message}\n${logs.stdout}\n${logs.stderr}`);
  }

  const sample = JSON.parse(readFileSync(join(EXAMPLE, 'sample.json'), 'utf8')) as { instances: number[][] };
  const expected = JSON.parse(readFileSync(join(EXAMPLE, 'expected_predictions.json'), 'utf8')) as unknown;
  const v1 = await request(port, 'POST', '/predict', JSON.stringify(sample));
  assert.equal(v1.status, 200, v1.text);
  const v1Body = JSON.parse(v1.text) as { predictions: unknown };
  assert.deepEqual(v1Body.predictions, Array.isArray(expected) ? expected : (expected as { predictions: unknown }).predictions);

  const v2 = await request(port, 'POST', `/v2/models/${spec.name}/infer`,
    JSON.stringify({ inputs: [{ name: 'input-0', shape: [sample.instances.length, 4], datatype: 'FP64', data: sample.instances.flat() }] }));
  assert.equal(v2.status, 200, v2.text);
  const v2Body = JSON.parse(v2.text) as { outputs: { name: string; data: unknown[] }[] };
  assert.deepEqual(v2Body.outputs[0]?.data, v1Body.predictions);
  const bad = await request(port, 'POST', '/predict', '{"instances": [[1, 2]]}');
  assert.ok(bad.status >= 400 && bad.status < 500, `bad input got ${bad.status}`);
  const health = JSON.parse((await docker(['inspect', '--format', '{{json .State.Health}}', id])).stdout) as { Status: string } | null;
  assert.ok(health === null || ['starting', 'healthy'].includes(health.Status), JSON.stringify(health));
});
