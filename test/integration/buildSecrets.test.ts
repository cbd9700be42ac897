// Build secrets through the real engine (issue 12): `modelship build` with PIP_INDEX_URL and a
// pip.conf serves them over a BuildKit session to the generated Dockerfile's secret mounts. The
// step proves pip saw both (it fails unless `pip config list` hashes to the expected text); the
// values are in no layer, no history entry, no label and not in the CLI's output (pip's own
// echo of its configuration is shown as ***). The classic builder is refused with the line.
//
// Without an engine this skips, saying why; under CI it fails instead.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pipInstallWithSecrets } from '../../src/core/scaffold/dockerfile/renderDockerfile';
import { docker, needEngine, runCli } from '../helpers/engineHarness';
import { TEST_BASE_IMAGE } from '../helpers/testInfra';

const need = needEngine;

const cleanups: (() => unknown)[] = [];
after(() => {
  for (const fn of cleanups.reverse()) {
    try {
      fn();
    } catch {
      // Best effort.
    }
  }
});

const INDEX = `http://mirror-user:s3cr3t-${process.pid}@index-secret-${process.pid}.invalid/simple`;
const CONF_INDEX = `http://conf-secret-${process.pid}.invalid/simple`;
const IMAGE = `ms-secrets-test:${process.pid}`;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return lstatSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** A project whose Dockerfile uses the generated secret mounts, with a check in place of pip install. */
function project(): { dir: string; confFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ms-secrets-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const expected = createHash('sha256').update(`:env:.index-url='${INDEX}'\nglobal.extra-index-url='${CONF_INDEX}'\n`).digest('hex');
  // pip prints its configuration (so the CLI must redact it), then the step fails unless pip saw both secrets.
  const check = `python -m pip config list && test "$(python -m pip config list | sha256sum | cut -c1-64)" = ${expected} && echo pip-saw-the-mirror`;
  writeFileSync(join(dir, 'Dockerfile'), `FROM ${TEST_BASE_IMAGE}\n${pipInstallWithSecrets(check)}\nRUN echo after > /after.txt\n`);
  const confFile = join(mkdtempSync(join(tmpdir(), 'ms-pipconf-')), 'pip.conf');
  writeFileSync(confFile, `[global]\nextra-index-url = ${CONF_INDEX}\n`);
  return { dir, confFile };
}

test('PIP_INDEX_URL and pip.conf reach pip as build secrets, and no layer, label or output holds them', { timeout: 300_000 }, async (t) => {
  if (!need(t)) return;
  const { dir, confFile } = project();
  cleanups.push(() => docker(['image', 'rm', '--force', IMAGE]));
  const build = await runCli(['build', dir, '--tag', IMAGE, '--no-cache', '--builder', 'buildkit', '--verbose'], {
    env: { PIP_INDEX_URL: INDEX, PIP_CONFIG_FILE: confFile },
    timeoutMs: 240_000,
  });
  assert.equal(build.code, 0, build.stderr);
  const output = build.stdout + build.stderr;
  assert.match(output, /pip-saw-the-mirror/, 'the step ran and pip saw both secrets');
  assert.match(output, /Build secrets: PIP_INDEX_URL, pip\.conf/);
  assert.match(output, /index-url='\*\*\*'/, "pip's own echo of its index is redacted");
  for (const secret of [INDEX, CONF_INDEX, 's3cr3t-']) assert.ok(!output.includes(secret), `the CLI printed ${secret}`);

  // Nothing of them in the image: every layer's files, the config, the history and the labels.
  const saved = mkdtempSync(join(tmpdir(), 'ms-secrets-saved-'));
  cleanups.push(() => rmSync(saved, { recursive: true, force: true }));
  docker(['save', '-o', join(saved, 'image.tar'), IMAGE]);
  const untar = spawnSync('tar', ['-xf', join(saved, 'image.tar'), '-C', saved]);
  assert.equal(untar.status, 0, String(untar.stderr));
  let layers = 0;
  // `docker save` writes each layer as an uncompressed tar: its bytes are the files' bytes.
  for (const file of filesUnder(saved).filter((f) => f.endsWith('layer.tar'))) {
    layers++;
    const bytes = readFileSync(file);
    for (const secret of [INDEX, CONF_INDEX, 's3cr3t-']) assert.equal(bytes.includes(secret), false, `${secret} is in ${file}`);
  }
  assert.ok(layers >= 2, `the image has its layers (${layers})`);
  const metadata = filesUnder(saved).filter((f) => f.endsWith('.json')).map((f) => readFileSync(f, 'utf8')).join('\n') + docker(['history', '--no-trunc', IMAGE]) + docker(['image', 'inspect', IMAGE]);
  for (const secret of [INDEX, CONF_INDEX, 's3cr3t-']) assert.ok(!metadata.includes(secret), `${secret} is in the image's metadata`);
});

test('without the secrets the same Dockerfile builds, and pip keeps its default index', { timeout: 300_000 }, async (t) => {
  if (!need(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'ms-nosecrets-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => docker(['image', 'rm', '--force', `${IMAGE}-none`]));
  writeFileSync(join(dir, 'Dockerfile'), `FROM ${TEST_BASE_IMAGE}\n${pipInstallWithSecrets('test -z "$(python -m pip config list)" && echo pip-default-index')}\n`);
  const build = await runCli(['build', dir, '--tag', `${IMAGE}-none`, '--no-cache', '--builder', 'buildkit'], {
    env: { PIP_INDEX_URL: '', PIP_EXTRA_INDEX_URL: '', PIP_CONFIG_FILE: '' },
    timeoutMs: 240_000,
  });
  assert.equal(build.code, 0, build.stderr);
  assert.match(build.stderr, /pip-default-index/);
  assert.doesNotMatch(build.stderr, /Build secrets:/);
});

test('the classic builder is refused before sending anything, naming the line and the fix', { timeout: 120_000 }, async (t) => {
  if (!need(t)) return;
  const { dir } = project();
  const build = await runCli(['build', dir, '--tag', `${IMAGE}-legacy`, '--builder', 'legacy'], { env: { PIP_INDEX_URL: '' }, timeoutMs: 60_000 });
  assert.equal(build.code, 2, build.stderr);
  assert.match(build.stderr, /Dockerfile:2: RUN --mount .* needs BuildKit/);
  assert.match(build.stderr, /--no-pip-secrets/);
  const withSecret = await runCli(['build', dir, '--tag', `${IMAGE}-legacy`, '--builder', 'legacy'], { env: { PIP_INDEX_URL: INDEX }, timeoutMs: 60_000 });
  assert.equal(withSecret.code, 2);
  assert.match(withSecret.stderr, /Build secrets \(PIP_INDEX_URL\) need BuildKit/);
  assert.ok(!withSecret.stderr.includes(INDEX));
});
