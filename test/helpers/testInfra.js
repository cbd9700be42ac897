'use strict';
// What the tests need from this machine besides Node: the test base image in the Docker engine and a
// registry that is provably the test registry. The names come from scripts/docker/test-infra.env, which the
// set-up scripts source too. Each probe answers what is missing and the one command that provides it.
// Plain CommonJS (typed by testInfra.d.ts): the node:test files, the extension-host suites (bundled) and
// the e2e runners (plain node) all load it.
const { spawnSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const INFRA_FILE = path.join('scripts', 'docker', 'test-infra.env');

/** The checkout holding `from`: the first folder above it with scripts/docker/test-infra.env (also from dist/test/extension). */
function repoRoot(from = __dirname) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, INFRA_FILE))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no ${INFRA_FILE} in any folder above ${from}`);
  }
}

/** NAME=value lines (comments and blank lines aside); anything else is refused, naming the line. */
function readInfraFile(file) {
  const values = {};
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const match = /^([A-Z][A-Z0-9_]*)=([^\s'"$`\\]+)$/.exec(line);
    if (!match) throw new Error(`${file}:${index + 1}: expected NAME=value (no quotes, spaces or $), got ${JSON.stringify(line)}`);
    values[match[1]] = match[2];
  });
  return values;
}

const REPO = repoRoot();
const INFRA = readInfraFile(path.join(REPO, INFRA_FILE));
const TEST_BASE_IMAGE = INFRA.MODELSHIP_TEST_BASE_IMAGE;
const DEFAULT_TEST_REGISTRY = INFRA.MODELSHIP_TEST_REGISTRY_DEFAULT;
const TEST_REGISTRY = process.env.MODELSHIP_TEST_REGISTRY || DEFAULT_TEST_REGISTRY;
const CLUSTER_REGISTRY = process.env.MODELSHIP_TEST_CLUSTER_REGISTRY || INFRA.MODELSHIP_TEST_CLUSTER_REGISTRY_DEFAULT;
const REGISTRY_MARKER = INFRA.MODELSHIP_TEST_REGISTRY_MARKER;
const SETUP_ENGINE = '`npm run setup:engine` (as root)';
const BUILD_BASE = '`bash scripts/docker/build-base-images.sh` (as root)';

/** Where start-engine.sh keeps this machine's registry id (the marker's tag). */
function registryIdFile(env = process.env) {
  return path.join(env.MODELSHIP_CACHE || path.join(os.homedir(), '.cache', 'modelship'), 'registry', 'test-registry-id');
}

const lastLine = (text) => String(text || '').trim().split('\n').pop();

/** What the labels of the image named TEST_BASE_IMAGE say: what it provides, or that it is not the test base. */
function classifyBaseLabels(labels) {
  const provides = labels && labels['org.modelship.base-provides'];
  if (!labels || !labels['org.modelship.base-key'] || !provides) {
    return { component: 'test base image', missing: `${TEST_BASE_IMAGE} is not the Modelship test base (no org.modelship.base-key and base-provides labels): run ${BUILD_BASE} to rebuild it` };
  }
  return { provides };
}

let baseProbe;
/** `{ provides }` when the engine has the test base image; else `{ component, missing }`. Probed once per process. */
function testBase() {
  if (!baseProbe) baseProbe = probeTestBase();
  return baseProbe;
}

function probeTestBase() {
  const options = { encoding: 'utf8', timeout: 30_000 };
  const version = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], options);
  if (version.error && version.error.code === 'ENOENT') return { component: 'docker client', missing: `no docker client on PATH: run ${SETUP_ENGINE}, which installs Debian's docker.io` };
  if (version.status !== 0) return { component: 'Docker engine', missing: `no Docker engine answers (${lastLine(version.stderr || (version.error && version.error.message))}): run ${SETUP_ENGINE}` };
  const inspect = spawnSync('docker', ['image', 'inspect', TEST_BASE_IMAGE, '--format', '{{json .Config.Labels}}'], options);
  if (inspect.status !== 0) return { component: 'test base image', missing: `the engine has no test base image ${TEST_BASE_IMAGE}: run ${BUILD_BASE}` };
  return classifyBaseLabels(JSON.parse(inspect.stdout.trim() || 'null'));
}

/** One request without a body; resolves the status, or the error's message. */
function requestStatus(url, method, headers, timeoutMs) {
  return new Promise((resolve) => {
    const req = http.request(url, { method, headers, timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode || 0 });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ error: error.message }));
    req.end();
  });
}

const SCHEMA2 = 'application/vnd.docker.distribution.manifest.v2+json';
/** The registries listen on the IPv4 loopback; `localhost` may resolve to ::1 first. */
const dialable = (address) => address.replace(/^localhost(?=:|$)/, '127.0.0.1');

/**
 * Why `address` is not a registry the tests may push into, or undefined when it is the test registry: it
 * answers /v2/ and holds REGISTRY_MARKER tagged with this machine's id (start-engine.sh pushes that mark into
 * the registry it started, or the kube lab's, and never into one it cannot prove is either).
 * `remedy` is what to do when something else answers there.
 */
async function registryProblem(address, { idFile = registryIdFile(), remedy = `set MODELSHIP_TEST_REGISTRY=host:port or stop it`, timeoutMs = 3000 } = {}) {
  const component = `test registry on ${address}`;
  const setup = dialable(address) === dialable(DEFAULT_TEST_REGISTRY) ? SETUP_ENGINE : `\`MODELSHIP_TEST_REGISTRY=${address} npm run setup:engine\` (as root)`;
  const base = `http://${dialable(address)}/v2/`;
  const v2 = await requestStatus(base, 'GET', {}, timeoutMs);
  if (v2.error) return { component, missing: `no registry answers on ${address} (${v2.error}): run ${setup}, which starts the test registry there` };
  const notOurs = (why) => ({ component, missing: `the registry on ${address} is not the test registry (${why}; if scripts/docker/start-engine.sh started it, run ${setup} again to mark it): ${remedy}` });
  if (v2.status !== 200) return notOurs(`GET /v2/ answered ${v2.status}`);
  let id;
  try {
    id = fs.readFileSync(idFile, 'utf8').trim();
  } catch {
    return { component, missing: `this machine has no test registry id (${idFile}), so nothing proves the registry on ${address} is the test registry: run ${setup}` };
  }
  const marker = await requestStatus(`${base}${REGISTRY_MARKER}/manifests/${encodeURIComponent(id)}`, 'HEAD', { accept: SCHEMA2 }, timeoutMs);
  if (marker.status === 200) return undefined;
  return notOurs(`it has no ${REGISTRY_MARKER}:${id}${marker.error ? ` (${marker.error})` : ''}`);
}

/** Why the push tests cannot push to TEST_REGISTRY, or undefined. */
function testRegistryProblem(options) {
  return registryProblem(TEST_REGISTRY, options);
}

/** Why the cluster tests cannot push to where the cluster pulls from (CLUSTER_REGISTRY), or undefined. */
function clusterRegistryProblem(options) {
  return registryProblem(CLUSTER_REGISTRY, {
    remedy: `the kube lab pulls only from ${CLUSTER_REGISTRY}: stop what answers there, run ${SETUP_ENGINE}, then \`bash ../shared/kube-lab/up.sh\` (or set MODELSHIP_TEST_CLUSTER_REGISTRY for another cluster)`,
    ...options,
  });
}

const reported = new Set();
/**
 * Skips a node:test test because `problem` (a probe's `{ component, missing }`): the whole reason on the first
 * skip in this process (one test file), a short pointer to it after that. `required` (CI) fails instead.
 */
function skipBecause(t, problem, required = Boolean(process.env.CI)) {
  if (required) throw new Error(`this run requires the ${problem.component}: ${problem.missing}`);
  if (reported.has(problem.missing)) {
    t.skip(`no ${problem.component} (the first skip in this file says why)`);
    return;
  }
  reported.add(problem.missing);
  t.skip(problem.missing);
}

module.exports = {
  REPO,
  TEST_BASE_IMAGE,
  DEFAULT_TEST_REGISTRY,
  TEST_REGISTRY,
  CLUSTER_REGISTRY,
  REGISTRY_MARKER,
  SETUP_ENGINE,
  readInfraFile,
  registryIdFile,
  classifyBaseLabels,
  testBase,
  registryProblem,
  testRegistryProblem,
  clusterRegistryProblem,
  skipBecause,
};
