// From a model to a running, smoke-tested container and a pushed image, through the CLI and the
// real Docker engine: containerize the iris example, build through the Engine API, run, smoke-test
// (predictions equal the in-process ones), read the logs, stop and remove; push to the loopback
// registry and pull back by digest; ask for a GPU on an engine without one (plain message, nothing
// left, and the request that reached the engine carried the device request); stop an engine
// mid-build (clear error, no hang); a failing step is named with its output.
//
// Without an engine this skips, saying why; under CI it fails instead.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { docker, engineUnavailable, freePort, makeTlsMaterial, needEngine, recordingProxy, runCli, startAuthRegistry, startThrowawayEngine, testBaseFlags } from '../helpers/engineHarness';
import { skipBecause, TEST_BASE_IMAGE, TEST_REGISTRY as REGISTRY, testRegistryProblem } from '../helpers/testInfra';

const EXAMPLE = resolve(__dirname, '../../examples/iris-sklearn');

const need = needEngine;

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch {
      // Best effort.
    }
  }
});

/** A containerized copy of the iris example: its folder and the image the Dockerfile names. */
async function containerizedIris(name: string, extra: string[] = []): Promise<{ dir: string; image: string }> {
  const parent = mkdtempSync(join(tmpdir(), 'ms-ship-'));
  const dir = join(parent, name);
  cpSync(EXAMPLE, dir, { recursive: true });
  cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
  // Nothing can be downloaded here: the Dockerfile builds on the test base image and reuses what it provides.
  const made = await runCli(['containerize', dir, '--only', 'dockerfile,app', '--force', ...testBaseFlags(), ...extra]);
  assert.equal(made.code, 0, made.stderr);
  const image = /io\.modelship\.image="([^"]+)"/.exec(readFileSync(join(dir, 'Dockerfile'), 'utf8'))?.[1];
  assert.ok(image, 'the generated Dockerfile names its image');
  cleanups.push(() => docker(['image', 'rm', '--force', image!]));
  return { dir, image: image! };
}

/** Builds the project's image unless an earlier test already did. */
async function ensureBuilt(dir: string, image: string): Promise<void> {
  if (docker(['images', '-q', image]).trim() !== '') return;
  const build = await runCli(['build', dir, '--quiet']);
  assert.equal(build.code, 0, build.stderr);
}

let iris: { dir: string; image: string } | undefined;
before(async () => {
  if (!engineUnavailable()) iris = await containerizedIris('iris-ship');
});

test('build → run → smoke → logs → stop on the real engine, with the in-process predictions', { timeout: 600_000 }, async (t) => {
  if (!need(t) || !iris) return;
  const { dir, image } = iris;
  cleanups.push(() => runCli(['stop', dir]));

  const build = await runCli(['build', dir, '--json']);
  assert.equal(build.code, 0, build.stderr);
  const built = JSON.parse(build.stdout) as { image: string; imageId: string; builder: string; context: { bytes: number; files: number }; bytesRead: number };
  assert.equal(built.image, image);
  assert.equal(built.bytesRead, built.context.bytes, 'the context read from disk is exactly what was sent');
  assert.match(build.stderr, /Sending .* of context \(\d+ files/);
  assert.equal(docker(['image', 'inspect', image, '--format', '{{.Id}}']).trim(), built.imageId);
  assert.equal(docker(['image', 'inspect', image, '--format', '{{index .Config.Labels "io.modelship.image"}}']).trim(), image);

  const run = await runCli(['run', dir, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const started = JSON.parse(run.stdout) as { id: string; url: string; ready: boolean; readyMs: number; gpu: boolean };
  assert.match(started.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(started.ready, true);
  assert.equal(started.gpu, false);
  const inspect = JSON.parse(docker(['container', 'inspect', started.id])) as { State: { Running: boolean }; Config: { User: string; Labels: Record<string, string> }; HostConfig: { DeviceRequests: unknown } }[];
  assert.equal(inspect[0]!.State.Running, true);
  assert.equal(inspect[0]!.Config.Labels['io.modelship.project.path'], dir);
  assert.equal(inspect[0]!.HostConfig.DeviceRequests, null, 'no GPU was asked for');

  // The saved sample (examples/iris-sklearn/sample.json) and the predictions the model gives in-process.
  const smoke = await runCli(['smoke', dir, '--json']);
  assert.equal(smoke.code, 0, smoke.stderr + smoke.stdout);
  const answer = JSON.parse(smoke.stdout) as { ok: boolean; sampleSource: string; predictions: unknown[] };
  assert.equal(answer.ok, true);
  assert.equal(answer.sampleSource, 'sample.json');
  const expected = JSON.parse(readFileSync(join(EXAMPLE, 'expected_predictions.json'), 'utf8')) as { predictions: unknown[] } | unknown[];
  assert.deepEqual(answer.predictions, Array.isArray(expected) ? expected : expected.predictions);
  assert.deepEqual((answer as { expected?: unknown }).expected, { source: 'expected_predictions.json', rows: 2 }, 'the answer was checked against the saved predictions');

  // Saved predictions the container does not reproduce: exit 1, naming the file and the rows.
  writeFileSync(join(dir, 'sample.expected.json'), '{"predictions": [0, 1]}');
  const drifted = await runCli(['smoke', dir]);
  assert.equal(drifted.code, 1, drifted.stdout + drifted.stderr);
  assert.match(drifted.stderr, /1 of 2 prediction\(s\) differ from sample\.expected\.json/);
  assert.match(drifted.stderr, /\| row 1: expected 1, got 2/);
  rmSync(join(dir, 'sample.expected.json'));

  // Without a saved sample, rows are shaped from the server's V2 metadata (4 features).
  rmSync(join(dir, 'sample.json'));
  const shaped = await runCli(['smoke', dir, '--json']);
  assert.equal(shaped.code, 0, shaped.stderr + shaped.stdout);
  const shapedAnswer = JSON.parse(shaped.stdout) as { sampleSource: string; rows: number; predictions: unknown[] };
  assert.match(shapedAnswer.sampleSource, /server metadata \(input shape \[4\]/);
  assert.equal(shapedAnswer.predictions.length, shapedAnswer.rows);

  // A smoke test that gets a 4xx exits 1 and says what the server answered.
  const badSample = join(dir, 'bad.json');
  writeFileSync(badSample, '{"instances": [[1, 2]]}');
  const bad = await runCli(['smoke', dir, '--sample', badSample]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /answered 4\d\d/);

  const logs = await runCli(['logs', dir]);
  assert.equal(logs.code, 0, logs.stderr);
  assert.match(logs.stdout + logs.stderr, /"phase": "ready"/);

  // A second run replaces the first container, and says so: one container per project.
  const rerun = await runCli(['run', dir, '--json']);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stderr, /warning: Replacing modelship-[a-z0-9-]+ \(running, /);
  assert.notEqual((JSON.parse(rerun.stdout) as { id: string }).id, started.id);
  assert.equal(docker(['ps', '-aq', '--filter', `label=io.modelship.project.path=${dir}`]).trim().split('\n').length, 1);

  const stop = await runCli(['stop', dir, '--json']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal((JSON.parse(stop.stdout) as { stopped: unknown[] }).stopped.length, 1);
  assert.equal(docker(['ps', '-aq', '--filter', `id=${started.id}`]).trim(), '', 'the container is gone');
  const again = await runCli(['smoke', dir]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /No container of .* is running/);
});

test('push to the loopback registry, then pull back by digest', { timeout: 600_000 }, async (t) => {
  if (!need(t) || !iris) return;
  const registry = await testRegistryProblem();
  if (registry) return skipBecause(t, registry);
  const { dir, image } = iris;
  await ensureBuilt(dir, image);
  const push = await runCli(['push', dir, '--to', `${REGISTRY}/modelship-it`, '--json']);
  assert.equal(push.code, 0, push.stderr);
  const pushed = JSON.parse(push.stdout) as { ref: string; digest: string; pinned: string };
  const name = image.split(':')[0];
  assert.equal(pushed.ref, `${REGISTRY}/modelship-it/${image}`);
  assert.match(pushed.digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal(pushed.pinned, `${REGISTRY}/modelship-it/${name}@${pushed.digest}`);
  cleanups.push(() => docker(['image', 'rm', '--force', pushed.ref]));

  // The registry serves that digest (its own manifest endpoint answers it back).
  const head = await fetch(`http://${REGISTRY}/v2/modelship-it/${name}/manifests/${pushed.digest}`, { method: 'HEAD', headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('docker-content-digest'), pushed.digest);

  const localId = docker(['image', 'inspect', image, '--format', '{{.Id}}']).trim();
  docker(['image', 'rm', pushed.ref]);
  docker(['pull', pushed.pinned]);
  cleanups.push(() => docker(['image', 'rm', '--force', pushed.pinned]));
  assert.equal(docker(['image', 'inspect', pushed.pinned, '--format', '{{.Id}}']).trim(), localId, 'the image pulled by digest is the one built');

  // No registry in the name: refused before anything is sent to Docker Hub.
  const hub = await runCli(['push', dir]);
  assert.equal(hub.code, 2);
  assert.match(hub.stderr, /names no registry/);
});

test('asking for a GPU on an engine without NVIDIA: one plain message, nothing left, the request carried the GPU', { timeout: 300_000 }, async (t) => {
  if (!need(t) || !iris) return;
  const { dir, image } = iris;
  await ensureBuilt(dir, image);
  const proxy = await recordingProxy();
  cleanups.push(() => proxy.close());
  const before = docker(['ps', '-aq', '--filter', 'label=io.modelship.project']).trim();
  const run = await runCli(['run', dir, '--gpu'], { env: { DOCKER_HOST: `unix://${proxy.socket}` }, timeoutMs: 120_000 });
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.match(run.stderr, /has no NVIDIA runtime/);
  assert.match(run.stderr, /nvidia-ctk runtime configure|NVIDIA Container Toolkit/);
  assert.doesNotMatch(run.stderr, /internal error|at .*\.js:\d+/);
  assert.equal(docker(['ps', '-aq', '--filter', 'label=io.modelship.project']).trim(), before, 'no container was left behind');

  const create = proxy.requests.find((r) => r.method === 'POST' && /\/containers\/create/.test(r.path));
  assert.ok(create, `the create request reached the engine: ${proxy.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  const body = JSON.parse(create.body) as { HostConfig: { DeviceRequests: { Driver: string; Count: number; Capabilities: string[][] }[] } };
  assert.deepEqual(body.HostConfig.DeviceRequests.map((d) => ({ Driver: d.Driver, Count: d.Count, Capabilities: d.Capabilities })), [{ Driver: '', Count: -1, Capabilities: [['gpu']] }]);
  assert.ok(proxy.requests.some((r) => r.method === 'GET' && /\/info$/.test(r.path)), 'the engine was asked about its runtimes first');
  assert.ok(proxy.requests.some((r) => r.method === 'DELETE' && /\/containers\//.test(r.path)), 'the refused container was removed');

  const count = await runCli(['run', dir, '--gpus', '2'], { env: { DOCKER_HOST: `unix://${proxy.socket}` }, timeoutMs: 120_000 });
  assert.equal(count.code, 2);
  const second = proxy.requests.filter((r) => r.method === 'POST' && /\/containers\/create/.test(r.path)).pop()!;
  assert.equal((JSON.parse(second.body) as { HostConfig: { DeviceRequests: { Count: number }[] } }).HostConfig.DeviceRequests[0]!.Count, 2);
});

test('a failing step is named, with its output, and the command exits 1', { timeout: 300_000 }, async (t) => {
  if (!need(t)) return;
  // The classic builder cannot parse the default secret mounts for pip's index; this Dockerfile has none.
  const { dir } = await containerizedIris('iris-fails', ['--no-pip-secrets']);
  appendFileSync(join(dir, 'Dockerfile'), '\nRUN echo "about to fail: no model server today" && exit 3\n');
  for (const builder of ['legacy', 'buildkit']) {
    const build = await runCli(['build', dir, '--builder', builder, '--quiet']);
    assert.equal(build.code, 1, `${builder}: ${build.stderr}`);
    assert.match(build.stderr, /Build failed at (runtime: )?RUN echo "about to fail/, builder);
    assert.match(build.stderr, /\| about to fail: no model server today/, builder);
    assert.match(build.stderr, /exit code: 3|non-zero code: 3/, builder);
  }
});

test('the engine stopping mid-build (killed, or shut down cleanly) gives a clear error, not a hang', { timeout: 240_000 }, async (t) => {
  if (!need(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'ms-enginelost-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM tiny:1\nRUN echo step-started && sleep 60\n');
  const cases: [string, NodeJS.Signals][] = [['legacy', 'SIGKILL'], ['buildkit', 'SIGKILL'], ['legacy', 'SIGTERM']];
  for (const [builder, signal] of cases) {
    const engine = await startThrowawayEngine();
    cleanups.push(() => engine.cleanup());
    let stopped = false;
    const build = await runCli(['build', dir, '--tag', 'lost:1', '--builder', builder], {
      env: { DOCKER_HOST: engine.host },
      timeoutMs: 90_000,
      onStderr: (text) => {
        if (!stopped && /^ {4}step-started$/m.test(text)) {
          stopped = true;
          engine.stop(signal);
        }
      },
    });
    const label = `${builder}, ${signal}`;
    assert.ok(stopped, `${label}: the build reached its RUN step: ${build.stderr}`);
    assert.notEqual(build.code, 124, `${label}: the CLI did not hang`);
    assert.equal(build.code, 2, `${label}: ${build.stderr}`);
    // Not "your RUN failed (exit 137)": the engine going away is what happened.
    assert.match(build.stderr, /The Docker engine at unix:\/\/.* stopped during the build at RUN echo step-started/, label);
    assert.doesNotMatch(build.stderr, /Build failed at/, label);
    assert.ok(build.ms < 45_000, `${label}: it gave up in ${build.ms} ms, before the step could have finished`);
    engine.cleanup();
  }
});

test('no engine at all: the endpoints tried and how to start one', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-noengine-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  const build = await runCli(['build', dir, '--tag', 'x:1'], { env: { DOCKER_HOST: `unix://${join(dir, 'nothing.sock')}` }, timeoutMs: 30_000 });
  assert.equal(build.code, 2);
  assert.match(build.stderr, new RegExp(`${join(dir, 'nothing.sock').replace(/[/.]/g, '\\$&')}`));
  assert.match(build.stderr, /DOCKER_HOST/);
});

test('cancelling a build aborts it on the engine: no image, no build container left running', { timeout: 120_000 }, async (t) => {
  if (!need(t)) return;
  const { connectEngine } = await import('../../src/docker/engine');
  const { buildImage } = await import('../../src/docker/build');
  const { readShipTarget } = await import('../../src/core/ship');
  const dir = mkdtempSync(join(tmpdir(), 'ms-cancel-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const dockerfile = `FROM ${TEST_BASE_IMAGE}\nRUN echo cancel-me-started && sleep 45\n`;
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  const engine = await connectEngine();
  for (const builder of ['legacy', 'buildkit'] as const) {
    const controller = new AbortController();
    const started = Date.now();
    let abortedAt = 0;
    const outcome = await buildImage(engine, {
      projectDir: dir,
      target: readShipTarget(dockerfile, 'Dockerfile', `cancel-me:${builder}`),
      builder,
      noCache: true,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.kind === 'output' && event.text.includes('cancel-me-started') && !abortedAt) {
          abortedAt = Date.now();
          controller.abort();
        }
      },
    }).then(() => 'built', (error: { code?: string }) => error.code);
    assert.ok(abortedAt > 0, `${builder}: the RUN step started`);
    assert.equal(outcome, 'CANCELLED', builder);
    assert.ok(Date.now() - abortedAt < 5000, `${builder}: the build stopped ${Date.now() - abortedAt} ms after the cancel`);
    assert.ok(Date.now() - started < 40_000);
    assert.equal(docker(['images', '-q', `cancel-me:${builder}`]).trim(), '', `${builder}: no image was tagged`);
  }
  // The engine stops the step's process once the client is gone (sleep 45 would otherwise still run).
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && spawnSyncPs()) await new Promise((r) => setTimeout(r, 500));
  assert.equal(spawnSyncPs(), false, 'no `sleep 45` from the cancelled builds is still running');
});

/** Whether a `sleep 45` from a cancelled build still runs anywhere on this host (containers' processes are host processes). */
function spawnSyncPs(): boolean {
  return spawnSync('pgrep', ['-f', '^sleep 45$'], { encoding: 'utf8' }).status === 0;
}

test('push with credentials from config.json: auths, a credential helper, and a clear refusal without them', { timeout: 300_000 }, async (t) => {
  if (!need(t) || !iris) return;
  const { dir, image } = iris;
  await ensureBuilt(dir, image);
  const registry = await startAuthRegistry('shipper', 's3cret-Pass');
  cleanups.push(() => registry.stop());
  const home = mkdtempSync(join(tmpdir(), 'ms-dockercfg-'));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const ref = `${registry.address}/team/${image}`;
  cleanups.push(() => spawnSync('docker', ['image', 'rm', '-f', ref]));

  writeFileSync(join(home, 'config.json'), JSON.stringify({ auths: {} }));
  const anonymous = await runCli(['push', dir, '--to', `${registry.address}/team`], { env: { DOCKER_CONFIG: home } });
  assert.equal(anonymous.code, 2);
  assert.match(anonymous.stderr, new RegExp(`Pushing .* to ${registry.address.replace(/\./g, '\\.')} failed: .*(no basic auth credentials|unauthorized|authentication required)`, 'i'));
  assert.match(anonymous.stderr, new RegExp(`docker login ${registry.address.replace(/\./g, '\\.')}`));

  writeFileSync(join(home, 'config.json'), JSON.stringify({ auths: { [registry.address]: { auth: Buffer.from('shipper:s3cret-Pass').toString('base64') } } }));
  const withAuths = await runCli(['push', dir, '--to', `${registry.address}/team`, '--json'], { env: { DOCKER_CONFIG: home } });
  assert.equal(withAuths.code, 0, withAuths.stderr);
  assert.match((JSON.parse(withAuths.stdout) as { digest: string }).digest, /^sha256:/);
  assert.doesNotMatch(withAuths.stderr + withAuths.stdout, /s3cret-Pass/);

  // A credential helper, run as the docker CLI runs it: the server on stdin, JSON on stdout.
  const bin = join(home, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'docker-credential-mstest'), `#!/bin/sh\nread server\n[ "$server" = "${registry.address}" ] || { echo "credentials not found in native keychain"; exit 1; }\necho '{"ServerURL":"${registry.address}","Username":"shipper","Secret":"s3cret-Pass"}'\n`);
  chmodSync(join(bin, 'docker-credential-mstest'), 0o755);
  writeFileSync(join(home, 'config.json'), JSON.stringify({ credHelpers: { [registry.address]: 'mstest' } }));
  const withHelper = await runCli(['push', dir, '--to', `${registry.address}/team`, '--json'], { env: { DOCKER_CONFIG: home, PATH: `${bin}:${process.env.PATH}` } });
  assert.equal(withHelper.code, 0, withHelper.stderr);
  assert.equal((JSON.parse(withHelper.stdout) as { digest: string }).digest, (JSON.parse(withAuths.stdout) as { digest: string }).digest, 'the same image, the same digest');
});

test('a container that exits before it is ready: the exit code and its last log lines, nothing left running', { timeout: 300_000 }, async (t) => {
  if (!need(t) || !iris) return;
  const { dir, image } = iris;
  await ensureBuilt(dir, image);
  cleanups.push(() => runCli(['stop', dir]));
  const run = await runCli(['run', dir, '--env', 'MODEL_PATH=/models/missing.joblib', '--timeout', '30'], { timeoutMs: 90_000 });
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.match(run.stderr, /exited with code \d+ before http:\/\/127\.0\.0\.1:\d+\/readyz answered/);
  assert.match(run.stderr, /\n {2}\| .*model not found at \/models\/missing\.joblib/);
  assert.match(run.stderr, /All of its logs: docker logs modelship-/);
});

test('mount mode: the model is bind-mounted read-only from the project and served', { timeout: 300_000 }, async (t) => {
  if (!need(t)) return;
  const { dir, image } = await containerizedIris('iris-mount', ['--mode', 'mount']);
  const build = await runCli(['build', dir, '--json']);
  assert.equal(build.code, 0, build.stderr);
  assert.equal((JSON.parse(build.stdout) as { image: string }).image, image);
  cleanups.push(() => runCli(['stop', dir]));
  assert.equal(spawnSync('docker', ['run', '--rm', '--entrypoint', 'sh', image, '-c', 'ls /models/model.joblib']).status, 2, 'the model is not in the image');

  const run = await runCli(['run', dir, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const id = (JSON.parse(run.stdout) as { id: string }).id;
  const mounts = JSON.parse(docker(['container', 'inspect', id, '--format', '{{json .Mounts}}'])) as { Source: string; Destination: string; RW: boolean }[];
  // The Dockerfile's VOLUME /models adds an anonymous volume (removed with the container); the model is bound inside it.
  const model = mounts.find((m) => m.Destination === '/models/model.joblib');
  assert.deepEqual(model && { Source: model.Source, RW: model.RW }, { Source: join(dir, 'model.joblib'), RW: false }, JSON.stringify(mounts));
  const smoke = await runCli(['smoke', dir, '--json']);
  assert.equal(smoke.code, 0, smoke.stderr + smoke.stdout);
  assert.deepEqual((JSON.parse(smoke.stdout) as { predictions: unknown[] }).predictions, [0, 2]);
});

test('a TLS engine reached through a docker context (and through DOCKER_HOST + DOCKER_TLS_VERIFY)', { timeout: 180_000 }, async (t) => {
  if (!need(t)) return;
  const home = mkdtempSync(join(tmpdir(), 'ms-tlsctx-'));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const tls = makeTlsMaterial(join(home, 'pki'));
  const port = await freePort();
  const engine = await startThrowawayEngine(['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', tls.ca, '--tlscert', tls.serverCert, '--tlskey', tls.serverKey]);
  cleanups.push(() => engine.cleanup());

  // The context exactly where the docker CLI keeps it: meta and TLS folders named by the sha256 of the name.
  const name = 'ms-tls';
  const id = createHash('sha256').update(name).digest('hex');
  const config = join(home, 'docker');
  mkdirSync(join(config, 'contexts/meta', id), { recursive: true });
  mkdirSync(join(config, 'contexts/tls', id, 'docker'), { recursive: true });
  writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: name }));
  writeFileSync(join(config, 'contexts/meta', id, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: `tcp://127.0.0.1:${port}`, SkipTLSVerify: false } } }));
  cpSync(tls.ca, join(config, 'contexts/tls', id, 'docker/ca.pem'));
  cpSync(tls.clientCert, join(config, 'contexts/tls', id, 'docker/cert.pem'));
  cpSync(tls.clientKey, join(config, 'contexts/tls', id, 'docker/key.pem'));
  const env = { DOCKER_CONFIG: config, DOCKER_HOST: '', DOCKER_CONTEXT: '' };
  // The docker CLI itself reaches the engine through this context: the layout is the real one.
  const cli = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', env: { ...process.env, DOCKER_CONFIG: config, DOCKER_HOST: '' } });
  assert.equal(cli.status, 0, cli.stderr);

  const dir = mkdtempSync(join(tmpdir(), 'ms-tlsbuild-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM tiny:1\nRUN echo built-over-tls\n');
  const build = await runCli(['build', dir, '--tag', 'tls-built:1', '--json'], { env, timeoutMs: 120_000 });
  assert.equal(build.code, 0, build.stderr);
  assert.match(build.stderr, new RegExp(`to tcp://127\\.0\\.0\\.1:${port}`));
  assert.equal(spawnSync('docker', ['-H', engine.host, 'images', '-q', 'tls-built:1'], { encoding: 'utf8' }).stdout.trim() !== '', true, 'the image is on the TLS engine');

  // The same engine through the environment variables the CLI reads.
  const certs = join(home, 'certs');
  mkdirSync(certs);
  cpSync(tls.ca, join(certs, 'ca.pem'));
  cpSync(tls.clientCert, join(certs, 'cert.pem'));
  cpSync(tls.clientKey, join(certs, 'key.pem'));
  const ps = await runCli(['ps', '--all', '--json'], { env: { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs, DOCKER_CONFIG: join(home, 'empty') } });
  assert.equal(ps.code, 0, ps.stderr);
  assert.deepEqual(JSON.parse(ps.stdout), []);

  // A CA that did not sign the server: refused, and the message says where it tried.
  const other = makeTlsMaterial(join(home, 'other-pki'));
  cpSync(other.ca, join(certs, 'ca.pem'));
  const refused = await runCli(['ps', '--all'], { env: { DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs, DOCKER_CONFIG: join(home, 'empty') }, timeoutMs: 30_000 });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, new RegExp(`tcp://127\\.0\\.0\\.1:${port}`));
  assert.match(refused.stderr, /certificate|self.signed|unable to verify/i);
  assert.match(refused.stderr, /TLS failed: check ca\.pem, cert\.pem and key\.pem in DOCKER_CERT_PATH/);
  assert.doesNotMatch(refused.stderr, /systemctl start docker/);
  engine.cleanup();
});

test('run as the cluster will: the Deployment\'s memory/CPU limits and read-only root; a model over its memory limit is named as such', { timeout: 300_000 }, async (t) => {
  if (!need(t)) return;
  // k8s too (the last --only wins): the Deployment is where the limits come from.
  const { dir } = await containerizedIris('iris-limits', ['--only', 'dockerfile,app,k8s']);
  const build = await runCli(['build', dir, '--json']);
  assert.equal(build.code, 0, build.stderr);
  cleanups.push(() => runCli(['stop', dir]));

  const run = await runCli(['run', dir, '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /As the cluster will run it: memory \d+Mi, cpu 2, read-only root, tmpfs \/tmp \(deploy\/k8s\/base\/deployment\.yaml\)/);
  const id = (JSON.parse(run.stdout) as { id: string }).id;
  const host = JSON.parse(docker(['container', 'inspect', id, '--format', '{{json .HostConfig}}'])) as { Memory: number; MemorySwap: number; NanoCpus: number; ReadonlyRootfs: boolean; Tmpfs: Record<string, string> };
  const manifest = readFileSync(join(dir, 'deploy/k8s/base/deployment.yaml'), 'utf8');
  const mi = Number(/limits:\s*\n\s*cpu: "?2"?\s*\n\s*memory: (\d+)Mi/.exec(manifest)?.[1]);
  assert.ok(mi > 0, 'the manifest has a memory limit');
  assert.deepEqual({ Memory: host.Memory, MemorySwap: host.MemorySwap, NanoCpus: host.NanoCpus, ReadonlyRootfs: host.ReadonlyRootfs, Tmpfs: Object.keys(host.Tmpfs ?? {}) }, { Memory: mi * 2 ** 20, MemorySwap: mi * 2 ** 20, NanoCpus: 2e9, ReadonlyRootfs: true, Tmpfs: ['/tmp'] });
  // The generated server works on a read-only root within its limits.
  const smoke = await runCli(['smoke', dir]);
  assert.equal(smoke.code, 0, smoke.stderr + smoke.stdout);

  // A manifest that gives it too little memory: the run fails here, saying so, instead of in the cluster.
  writeFileSync(join(dir, 'deploy/k8s/base/deployment.yaml'), manifest.replace(`memory: ${mi}Mi`, 'memory: 24Mi'));
  const starved = await runCli(['run', dir], { timeoutMs: 120_000 });
  assert.equal(starved.code, 2, starved.stdout + starved.stderr);
  assert.match(starved.stderr, /was killed for using more than its memory limit of 24Mi \(limits\.memory in deploy\/k8s\/base\/deployment\.yaml\) before .*readyz answered; Kubernetes would kill it too/);
  assert.match(starved.stderr, /Raise limits\.memory in deploy\/k8s\/base\/deployment\.yaml/);
  const lifted = await runCli(['run', dir, '--no-limits', '--json'], { timeoutMs: 120_000 });
  assert.equal(lifted.code, 0, lifted.stderr);
  assert.equal((JSON.parse(lifted.stdout) as { limits: unknown }).limits, null);
});
