// The test set-up's own checks: a registry counts as the test registry only with this machine's
// mark (fake registries on loopback), the shared names file is read strictly, the base image's
// labels decide, each skip names the component and one command, and `npm test`'s runner goes on
// past a failing check but not past a failed build.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { classifyBaseLabels, readInfraFile, registryProblem, REGISTRY_MARKER, skipBecause, TEST_BASE_IMAGE } from '../../helpers/testInfra';

const work = mkdtempSync(join(tmpdir(), 'ms-infra-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A fake registry on loopback: /v2/ answers `v2Status`, and the manifests in `tags` exist (HEAD with the schema2 Accept). */
async function fakeRegistry(v2Status: number, tags: string[]): Promise<{ address: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.url === '/v2/') return void res.writeHead(v2Status).end('{}');
    const tag = new RegExp(`^/v2/${REGISTRY_MARKER}/manifests/([^/]+)$`).exec(req.url ?? '')?.[1];
    const known = req.method === 'HEAD' && tag !== undefined && tags.includes(tag) && req.headers.accept === 'application/vnd.docker.distribution.manifest.v2+json';
    res.writeHead(known ? 200 : 404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function idFile(id: string | undefined): string {
  const file = join(work, `id-${Math.random().toString(36).slice(2)}`);
  if (id !== undefined) writeFileSync(file, `${id}\n`);
  return file;
}

test('a registry with this machine\'s mark is the test registry; the check only reads', async () => {
  const registry = await fakeRegistry(200, ['0123abcd']);
  try {
    assert.equal(await registryProblem(registry.address, { idFile: idFile('0123abcd') }), undefined);
    assert.deepEqual(registry.requests, ['GET /v2/', `HEAD /v2/${REGISTRY_MARKER}/manifests/0123abcd`]);
  } finally {
    await registry.close();
  }
});

test('a registry without the mark (another machine\'s, or a foreign one) is not the test registry, and says what to do', async () => {
  const registry = await fakeRegistry(200, ['ffffffff']);
  try {
    const problem = await registryProblem(registry.address, { idFile: idFile('0123abcd') });
    assert.equal(problem?.component, `test registry on ${registry.address}`);
    assert.match(problem!.missing, new RegExp(`^the registry on ${registry.address} is not the test registry \\(it has no ${REGISTRY_MARKER}:0123abcd;`));
    assert.match(problem!.missing, /set MODELSHIP_TEST_REGISTRY=host:port or stop it$/);
    assert.match(problem!.missing, /`MODELSHIP_TEST_REGISTRY=127\.0\.0\.1:\d+ npm run setup:engine` \(as root\)/);
  } finally {
    await registry.close();
  }
});

test('a registry that asks for a password is not the test registry; the remedy can be the caller\'s', async () => {
  const registry = await fakeRegistry(401, ['0123abcd']);
  try {
    const problem = await registryProblem(registry.address, { idFile: idFile('0123abcd'), remedy: 'stop it and rerun up.sh' });
    assert.match(problem!.missing, /GET \/v2\/ answered 401/);
    assert.match(problem!.missing, /: stop it and rerun up\.sh$/);
  } finally {
    await registry.close();
  }
});

test('without this machine\'s registry id nothing is proven: it says to run the set-up', async () => {
  const registry = await fakeRegistry(200, []);
  try {
    const missing = idFile(undefined);
    const problem = await registryProblem(registry.address, { idFile: missing });
    assert.match(problem!.missing, new RegExp(`no test registry id \\(${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)`));
    assert.match(problem!.missing, /npm run setup:engine/);
  } finally {
    await registry.close();
  }
});

test('nothing listening: no registry answers, and the command that starts one', async () => {
  const registry = await fakeRegistry(200, []);
  const address = registry.address;
  await registry.close();
  const problem = await registryProblem(address, { idFile: idFile('0123abcd') });
  assert.match(problem!.missing, new RegExp(`^no registry answers on ${address} \\(.*ECONNREFUSED.*\\): run .*npm run setup:engine.*, which starts the test registry there$`));
});

test('the shared names file: NAME=value lines only, a bad line is named; the base name is private', () => {
  const file = join(work, 'infra.env');
  writeFileSync(file, '# comment\n\nA_B=modelship-test/x:1\nC=127.0.0.1:5000\n');
  assert.deepEqual(readInfraFile(file), { A_B: 'modelship-test/x:1', C: '127.0.0.1:5000' });
  writeFileSync(file, 'A=1\nB="quoted"\n');
  assert.throws(() => readInfraFile(file), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: expected NAME=value`));
  assert.match(TEST_BASE_IMAGE, /^modelship-test\/python:\d+\.\d+-slim$/, 'private, and named like the official image so the generator treats it the same');
  // The shell scripts source the same file.
  const shell = readFileSync(resolve(__dirname, '../../../scripts/docker/start-engine.sh'), 'utf8') + readFileSync(resolve(__dirname, '../../../scripts/docker/build-base-images.sh'), 'utf8');
  assert.equal(shell.match(/\. "\$\(dirname "\$0"\)\/test-infra\.env"/g)?.length, 2);
  assert.doesNotMatch(shell, /docker tag [^\n]* python:3\.11-slim/);
});

test('the base image counts only with both labels build-base-images.sh gives it', () => {
  assert.deepEqual(classifyBaseLabels({ 'org.modelship.base-key': 'k', 'org.modelship.base-provides': 'numpy==1.24.2' }), { provides: 'numpy==1.24.2' });
  const incomplete: (Record<string, string> | null)[] = [null, {}, { 'org.modelship.base-provides': 'numpy==1.24.2' }, { 'org.modelship.base-key': 'k' }];
  for (const labels of incomplete) {
    const result = classifyBaseLabels(labels);
    assert.ok('missing' in result);
    assert.match(result.missing, /is not the Modelship test base .*: run `bash scripts\/docker\/build-base-images\.sh` \(as root\)/);
  }
});

test('a skip gives the whole reason once per file, a pointer after that; required runs fail instead', () => {
  const skips: (string | undefined)[] = [];
  const t = { skip: (message?: string) => void skips.push(message) };
  const problem = { component: 'test base image', missing: `the engine has no test base image ${TEST_BASE_IMAGE}-unit: run it` };
  skipBecause(t, problem, false);
  skipBecause(t, problem, false);
  skipBecause(t, problem, false);
  assert.deepEqual(skips, [problem.missing, 'no test base image (the first skip in this file says why)', 'no test base image (the first skip in this file says why)']);
  assert.throws(() => skipBecause(t, problem, true), /this run requires the test base image: the engine has no test base image/);
  assert.equal(skips.length, 3);
});

test('npm test\'s runner: a failing check does not stop the next; a failed build leaves the suites recorded as not run', async () => {
  const { runSteps, firstErrorLine } = await import('../../../scripts/run-test-suites.mjs');
  const results = join(work, 'results');
  mkdirSync(results);
  writeFileSync(join(results, 'e2e.json'), JSON.stringify({ suite: 'e2e', passed: 9, failed: 0 }));
  const ran: string[] = [];
  const outcome = await runSteps(
    [{ name: 'typecheck', check: true }, { name: 'build', check: true, buildsDist: true }, { name: 'unit', needsBuild: true }, { name: 'e2e' }],
    { resultsDir: results, log: () => undefined, run: async (step: { name: string }) => {
      ran.push(step.name);
      return step.name === 'typecheck' ? { code: 2, output: 'src/a.ts(1,1): error TS2304: Cannot find name x.\n' } : { code: 1, output: 'built\nX [ERROR] Could not resolve "y"\n' };
    } },
  );
  assert.deepEqual(ran, ['typecheck', 'build', 'e2e']);
  assert.deepEqual(outcome, { names: ['typecheck', 'build', 'unit', 'e2e'], anyFailed: true });
  const read = (name: string) => JSON.parse(readFileSync(join(results, `${name}.json`), 'utf8'));
  assert.deepEqual(read('typecheck'), { suite: 'typecheck', passed: 0, failed: 1, failures: ['exit 2: src/a.ts(1,1): error TS2304: Cannot find name x.'] });
  assert.deepEqual(read('build').failures, ['exit 1: X [ERROR] Could not resolve "y"']);
  assert.deepEqual(read('unit'), { suite: 'unit', passed: 0, failed: 1, reason: 'not run: the build failed, and the suite runs dist/' });
  assert.equal(existsSync(join(results, 'e2e.json')), false, 'a suite that wrote nothing this time has no results from the last run');
  assert.equal(firstErrorLine('a\nb\n\n'), 'b');
});
