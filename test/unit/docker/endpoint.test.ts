// Finding the engine the way the docker CLI does: DOCKER_HOST forms, TLS from the environment,
// contexts from a real config folder, the fallback sockets, dockerode options and the message
// when nothing answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { Agent, createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { isModelshipError } from '../../../src/core/errors';
import { contextDirName } from '../../../src/docker/dockerContexts';
import { modemOptions, nodeEndpointEnvironment, resolveEngineEndpoints, unreachableMessage, type EndpointEnvironment, type EngineEndpoint } from '../../../src/docker/endpoint';

const HOME = '/home/me';
const CA = '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\ncert\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n';

interface Fake {
  env?: Record<string, string>;
  files?: Record<string, string>;
  sockets?: string[];
  platform?: NodeJS.Platform;
  homeDir?: string;
}

function fake({ env = {}, files = {}, sockets = [], platform = 'linux', homeDir = HOME }: Fake): EndpointEnvironment {
  return { env, homeDir, platform, readFile: (p) => files[p], exists: (p) => sockets.includes(p) || p in files };
}

const certs = (dir: string, names = ['ca', 'cert', 'key']) =>
  Object.fromEntries(names.map((n) => [`${dir}/${n}.pem`, { ca: CA, cert: CERT, key: KEY }[n] ?? '']));

/** Asserts `fn` throws a ModelshipError with this code whose message matches every pattern. */
function throwsConfig(fn: () => unknown, code: string, ...patterns: RegExp[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isModelshipError(error), String(error));
    assert.equal(error.code, code);
    for (const p of patterns) assert.match(error.message, p);
    assert.ok(error.hint, 'has a hint');
    return true;
  });
}

const DEFAULT: EngineEndpoint = { kind: 'unix', socketPath: '/var/run/docker.sock', source: 'default socket', display: 'unix:///var/run/docker.sock' };

test('DOCKER_HOST forms give exactly one endpoint, as opts.ParseHost reads them', () => {
  const cases: [string, Omit<EngineEndpoint, 'source'>][] = [
    ['unix:///var/run/docker.sock', { kind: 'unix', socketPath: '/var/run/docker.sock', display: 'unix:///var/run/docker.sock' }],
    ['unix:///home/me/.colima/docker.sock', { kind: 'unix', socketPath: '/home/me/.colima/docker.sock', display: 'unix:///home/me/.colima/docker.sock' }],
    ['unix://', { kind: 'unix', socketPath: '/var/run/docker.sock', display: 'unix:///var/run/docker.sock' }],
    ['/run/user/1000/docker.sock', { kind: 'unix', socketPath: '/run/user/1000/docker.sock', display: 'unix:///run/user/1000/docker.sock' }],
    ['npipe:////./pipe/docker_engine', { kind: 'npipe', socketPath: '//./pipe/docker_engine', display: 'npipe:////./pipe/docker_engine' }],
    ['npipe://', { kind: 'npipe', socketPath: '//./pipe/docker_engine', display: 'npipe:////./pipe/docker_engine' }],
    ['tcp://1.2.3.4:2376', { kind: 'tcp', host: '1.2.3.4', port: 2376, protocol: 'http', display: 'tcp://1.2.3.4:2376' }],
    ['tcp://docker.example', { kind: 'tcp', host: 'docker.example', port: 2375, protocol: 'http', display: 'tcp://docker.example:2375' }],
    ['1.2.3.4:2380', { kind: 'tcp', host: '1.2.3.4', port: 2380, protocol: 'http', display: 'tcp://1.2.3.4:2380' }],
    ['tcp://', { kind: 'tcp', host: 'localhost', port: 2375, protocol: 'http', display: 'tcp://localhost:2375' }],
    ['tcp://:2380', { kind: 'tcp', host: 'localhost', port: 2380, protocol: 'http', display: 'tcp://localhost:2380' }],
    ['tcp://[::1]:2375', { kind: 'tcp', host: '::1', port: 2375, protocol: 'http', display: 'tcp://[::1]:2375' }],
    ['tcp://h.example:2375/prefix', { kind: 'tcp', host: 'h.example', port: 2375, protocol: 'http', display: 'tcp://h.example:2375' }],
    ['  tcp://h.example:1  ', { kind: 'tcp', host: 'h.example', port: 1, protocol: 'http', display: 'tcp://h.example:1' }],
    ['http://h.example:8080', { kind: 'tcp', host: 'h.example', port: 8080, protocol: 'http', display: 'http://h.example:8080' }],
    ['http://h.example', { kind: 'tcp', host: 'h.example', port: 2375, protocol: 'http', display: 'http://h.example:2375' }],
    ['ssh://me@build.example:2222', { kind: 'ssh', host: 'build.example', port: 2222, protocol: 'ssh', username: 'me', display: 'ssh://me@build.example:2222' }],
    ['ssh://build.example', { kind: 'ssh', host: 'build.example', port: 22, protocol: 'ssh', display: 'ssh://build.example' }],
    ['   ', { kind: 'unix', socketPath: '/var/run/docker.sock', display: 'unix:///var/run/docker.sock' }],
  ];
  for (const [value, expected] of cases) {
    // The sockets exist, to show fallbacks are not added once DOCKER_HOST chose.
    const env = fake({ env: { DOCKER_HOST: value, XDG_RUNTIME_DIR: '/run/user/1000' }, sockets: ['/run/user/1000/docker.sock', `${HOME}/.docker/run/docker.sock`] });
    assert.deepEqual(resolveEngineEndpoints(env), [{ ...expected, source: 'DOCKER_HOST' }], value);
  }
});

test('a bad DOCKER_HOST throws ENGINE_CONFIG naming the variable and the value', () => {
  const cases: [string, RegExp][] = [
    ['foo://bar', /unsupported scheme "foo:\/\/"/],
    ['fd://3', /unsupported scheme "fd:\/\/"/],
    ['tcp://h:abc', /"abc" is not a port number/],
    ['tcp://h:99999', /"99999" is not a port number/],
    ['tcp://a://b', /expected tcp:\/\/host:port/],
    ['unix://x://y', /expected unix:\/\/path/],
    ['tcp://[::1', /unclosed "\["/],
    ['tcp://a b:1', /"a b" is not a host name/],
    ['ssh://', /not a valid ssh:\/\/ URL|no host given/],
    ['ssh://host/var/run/docker.sock', /nothing may follow the host and port/],
    ['ssh://host?x=1', /nothing may follow the host and port/],
  ];
  for (const [value, reason] of cases) {
    const quoted = new RegExp(`^DOCKER_HOST is set to "${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}", which is not a Docker host: `);
    throwsConfig(() => resolveEngineEndpoints(fake({ env: { DOCKER_HOST: value } })), 'ENGINE_CONFIG', quoted, reason);
  }
});

test('a password in an ssh DOCKER_HOST is refused and kept out of the message', () => {
  const run = () => resolveEngineEndpoints(fake({ env: { DOCKER_HOST: 'ssh://me:hunter2@host' } }));
  throwsConfig(run, 'ENGINE_CONFIG', /"ssh:\/\/me:\*\*\*\*@host"/, /password in the URL is not supported/);
  assert.throws(run, (e: Error) => !e.message.includes('hunter2'));
});

test('TLS for a tcp DOCKER_HOST comes from DOCKER_TLS_VERIFY / DOCKER_TLS and the cert folder', () => {
  const tcp = (port: number, tls: EngineEndpoint['tls'], host = 'h.example'): EngineEndpoint[] => [
    { kind: 'tcp', host, port, protocol: 'https', tls, source: 'DOCKER_HOST', display: `tcp://${host}:${port}` },
  ];
  const cases: [string, Fake, EngineEndpoint[]][] = [
    ['verify, certs in ~/.docker', { env: { DOCKER_HOST: 'tcp://h.example:2376', DOCKER_TLS_VERIFY: '1' }, files: certs(`${HOME}/.docker`) }, tcp(2376, { ca: CA, cert: CERT, key: KEY, verify: true })],
    ['any non-empty DOCKER_TLS_VERIFY verifies, even "0"', { env: { DOCKER_HOST: 'tcp://h.example:2376', DOCKER_TLS_VERIFY: '0' }, files: certs(`${HOME}/.docker`) }, tcp(2376, { ca: CA, cert: CERT, key: KEY, verify: true })],
    ['DOCKER_CERT_PATH', { env: { DOCKER_HOST: 'tcp://h.example:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, files: certs('/certs') }, tcp(2376, { ca: CA, cert: CERT, key: KEY, verify: true })],
    ['cert path defaults to DOCKER_CONFIG', { env: { DOCKER_HOST: 'tcp://h.example:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CONFIG: '/cfg' }, files: certs('/cfg') }, tcp(2376, { ca: CA, cert: CERT, key: KEY, verify: true })],
    ['DOCKER_TLS alone: TLS without verification', { env: { DOCKER_HOST: 'tcp://h.example:2376', DOCKER_TLS: '1' }, files: certs(`${HOME}/.docker`) }, tcp(2376, { ca: CA, cert: CERT, key: KEY, verify: false })],
    ['no port: 2375 even with TLS, as the CLI does', { env: { DOCKER_HOST: 'tcp://h.example', DOCKER_TLS_VERIFY: '1' }, files: certs(`${HOME}/.docker`) }, tcp(2375, { ca: CA, cert: CERT, key: KEY, verify: true })],
    ['client cert and key are optional', { env: { DOCKER_HOST: 'tcp://h.example:2376', DOCKER_TLS_VERIFY: '1' }, files: certs(`${HOME}/.docker`, ['ca']) }, tcp(2376, { ca: CA, verify: true })],
    ['no TLS without the variables', { env: { DOCKER_HOST: 'tcp://h.example:2376' }, files: certs(`${HOME}/.docker`) }, [{ kind: 'tcp', host: 'h.example', port: 2376, protocol: 'http', source: 'DOCKER_HOST', display: 'tcp://h.example:2376' }]],
    ['https:// is TLS with system CAs when there are no files', { env: { DOCKER_HOST: 'https://h.example' } }, [{ kind: 'tcp', host: 'h.example', port: 2376, protocol: 'https', tls: { verify: true }, source: 'DOCKER_HOST', display: 'https://h.example:2376' }]],
    ['http:// ignores the TLS variables', { env: { DOCKER_HOST: 'http://h.example:80', DOCKER_TLS_VERIFY: '1' } }, [{ kind: 'tcp', host: 'h.example', port: 80, protocol: 'http', source: 'DOCKER_HOST', display: 'http://h.example:80' }]],
    ['a socket ignores the TLS variables', { env: { DOCKER_HOST: 'unix:///x.sock', DOCKER_TLS_VERIFY: '1' } }, [{ kind: 'unix', socketPath: '/x.sock', source: 'DOCKER_HOST', display: 'unix:///x.sock' }]],
    ['TLS and no host: the CLI default tcp://localhost:2376', { env: { DOCKER_TLS_VERIFY: '1' }, files: certs(`${HOME}/.docker`) }, [{ kind: 'tcp', host: 'localhost', port: 2376, protocol: 'https', tls: { ca: CA, cert: CERT, key: KEY, verify: true }, source: 'DOCKER_TLS_VERIFY', display: 'tcp://localhost:2376' }]],
    ['DOCKER_TLS and no host', { env: { DOCKER_TLS: 'yes' }, files: certs(`${HOME}/.docker`, ['ca']) }, [{ kind: 'tcp', host: 'localhost', port: 2376, protocol: 'https', tls: { ca: CA, verify: false }, source: 'DOCKER_TLS', display: 'tcp://localhost:2376' }]],
  ];
  for (const [label, setup, expected] of cases) assert.deepEqual(resolveEngineEndpoints(fake(setup)), expected, label);
});

test('missing TLS files throw ENGINE_CONFIG naming the file', () => {
  throwsConfig(() => resolveEngineEndpoints(fake({ env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' } })), 'ENGINE_CONFIG', /^DOCKER_TLS_VERIFY is set but \/home\/me\/\.docker\/ca\.pem is missing or unreadable\.$/);
  throwsConfig(() => resolveEngineEndpoints(fake({ env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS: '1', DOCKER_CERT_PATH: '/c' } })), 'ENGINE_CONFIG', /^DOCKER_TLS is set but \/c\/ca\.pem is missing/);
  throwsConfig(() => resolveEngineEndpoints(fake({ env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' }, files: certs(`${HOME}/.docker`, ['ca', 'cert']) })), 'ENGINE_CONFIG', /has cert\.pem but no key\.pem/);
  throwsConfig(() => resolveEngineEndpoints(fake({ env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' }, files: certs(`${HOME}/.docker`, ['ca', 'key']) })), 'ENGINE_CONFIG', /has key\.pem but no cert\.pem/);
});

test('with no choice made: the default socket first, then the fallbacks that exist, in order', () => {
  const xdg = '/run/user/1000';
  const all = [`${xdg}/docker.sock`, `${HOME}/.docker/run/docker.sock`, `${HOME}/.docker/desktop/docker.sock`, `${xdg}/podman/podman.sock`, '/run/podman/podman.sock'];
  const sock = (path: string, source: string): EngineEndpoint => ({ kind: 'unix', socketPath: path, source, display: `unix://${path}` });
  const cases: [string, Fake, EngineEndpoint[]][] = [
    ['nothing else exists', { env: { XDG_RUNTIME_DIR: xdg } }, [DEFAULT]],
    ['everything exists', { env: { XDG_RUNTIME_DIR: xdg }, sockets: all }, [
      DEFAULT,
      sock(`${xdg}/docker.sock`, 'rootless socket'),
      sock(`${HOME}/.docker/run/docker.sock`, 'Docker Desktop socket'),
      sock(`${HOME}/.docker/desktop/docker.sock`, 'Docker Desktop socket'),
      sock(`${xdg}/podman/podman.sock`, 'Podman socket'),
      sock('/run/podman/podman.sock', 'Podman socket'),
    ]],
    ['without XDG_RUNTIME_DIR its sockets are not guessed', { sockets: all }, [
      DEFAULT,
      sock(`${HOME}/.docker/run/docker.sock`, 'Docker Desktop socket'),
      sock(`${HOME}/.docker/desktop/docker.sock`, 'Docker Desktop socket'),
      sock('/run/podman/podman.sock', 'Podman socket'),
    ]],
    ['only Podman', { env: { XDG_RUNTIME_DIR: xdg }, sockets: [`${xdg}/podman/podman.sock`] }, [DEFAULT, sock(`${xdg}/podman/podman.sock`, 'Podman socket')]],
    ['the default is never listed twice', { env: { XDG_RUNTIME_DIR: '/var/run' }, sockets: ['/var/run/docker.sock'] }, [DEFAULT]],
    ['macOS Docker Desktop', { platform: 'darwin', homeDir: '/Users/me', sockets: ['/Users/me/.docker/run/docker.sock'] }, [DEFAULT, sock('/Users/me/.docker/run/docker.sock', 'Docker Desktop socket')]],
    ['Windows: the named pipe only', { platform: 'win32', homeDir: 'C:\\Users\\me', sockets: all }, [{ kind: 'npipe', socketPath: '//./pipe/docker_engine', source: 'default socket', display: 'npipe:////./pipe/docker_engine' }]],
    ['currentContext "default" is no choice', { files: { [`${HOME}/.docker/config.json`]: '{"currentContext":"default"}' }, sockets: ['/run/podman/podman.sock'] }, [DEFAULT, sock('/run/podman/podman.sock', 'Podman socket')]],
    ['an empty config.json', { files: { [`${HOME}/.docker/config.json`]: '' } }, [DEFAULT]],
    ['a config.json with no currentContext', { files: { [`${HOME}/.docker/config.json`]: '{"auths":{}}' } }, [DEFAULT]],
  ];
  for (const [label, setup, expected] of cases) assert.deepEqual(resolveEngineEndpoints(fake(setup)), expected, label);
});

test('precedence follows resolveContextName: DOCKER_HOST, then DOCKER_CONTEXT, then currentContext', () => {
  const config = { [`${HOME}/.docker/config.json`]: '{"currentContext":"missing-from-config"}' };
  // DOCKER_HOST wins even over a DOCKER_CONTEXT naming a context that does not exist.
  const byHost = resolveEngineEndpoints(fake({ env: { DOCKER_HOST: 'tcp://h:1', DOCKER_CONTEXT: 'nope' }, files: config }));
  assert.deepEqual(byHost.map((e) => e.source), ['DOCKER_HOST']);
  throwsConfig(() => resolveEngineEndpoints(fake({ env: { DOCKER_CONTEXT: 'nope' }, files: config })), 'ENGINE_CONFIG', /^Docker context "nope" \(set by DOCKER_CONTEXT\)/);
  throwsConfig(() => resolveEngineEndpoints(fake({ files: config })), 'ENGINE_CONFIG', /^Docker context "missing-from-config" \(the current context in \/home\/me\/\.docker\/config\.json\)/);
  // DOCKER_CONTEXT=default overrides the config's context and means the local engine.
  assert.deepEqual(resolveEngineEndpoints(fake({ env: { DOCKER_CONTEXT: 'default' }, files: config })), [DEFAULT]);
});

test('a malformed config.json throws naming the file, but only when it has to be read', () => {
  const files = { '/cfg/config.json': '{"currentContext": ' };
  throwsConfig(() => resolveEngineEndpoints(fake({ env: { DOCKER_CONFIG: '/cfg' }, files })), 'ENGINE_CONFIG', /^\/cfg\/config\.json is not valid JSON \(/);
  assert.equal(resolveEngineEndpoints(fake({ env: { DOCKER_CONFIG: '/cfg', DOCKER_HOST: 'unix:///s' }, files })).length, 1);
  throwsConfig(() => resolveEngineEndpoints(fake({ env: { DOCKER_CONFIG: '/cfg', DOCKER_CONTEXT: 'x' }, files })), 'ENGINE_CONFIG', /^Docker context "x"/);
});

test('context folders are the sha256 of the name, as docker names them', () => {
  // The CLI stored the TLS files of a context called "local" under this folder.
  assert.equal(contextDirName('local'), '25bf8e1a2393f1108d37029b3df5593236c755742ec93465bbafa9b290bddcf6');
});

/** A real config folder holding contexts written the way `docker context create` writes them. */
function configDir(contexts: Record<string, { meta?: string; tls?: Record<string, string> }>, currentContext?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ms-docker-config-'));
  if (currentContext) writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: {}, currentContext }));
  for (const [name, { meta, tls }] of Object.entries(contexts)) {
    const id = createHash('sha256').update(name).digest('hex');
    if (meta !== undefined) {
      mkdirSync(join(dir, 'contexts', 'meta', id), { recursive: true });
      writeFileSync(join(dir, 'contexts', 'meta', id, 'meta.json'), meta);
    }
    for (const [file, text] of Object.entries(tls ?? {})) {
      mkdirSync(join(dir, 'contexts', 'tls', id, 'docker'), { recursive: true });
      writeFileSync(join(dir, 'contexts', 'tls', id, 'docker', file), text);
    }
  }
  return dir;
}

const meta = (name: string, host: string, skip = false) => JSON.stringify({ Name: name, Metadata: { Description: '' }, Endpoints: { docker: { Host: host, SkipTLSVerify: skip } } });
const realEnv = (env: Record<string, string>): EndpointEnvironment => ({ ...nodeEndpointEnvironment(), platform: 'linux', homeDir: '/nonexistent-home', env });

test('a named context is the only candidate, read from the real context store', () => {
  const dir = configDir({
    colima: { meta: meta('colima', 'unix:///Users/me/.colima/default/docker.sock') },
    remote: { meta: meta('remote', 'tcp://10.0.0.5:2376'), tls: { 'ca.pem': CA, 'cert.pem': CERT, 'key.pem': KEY } },
    insecure: { meta: meta('insecure', 'tcp://10.0.0.6:2376', true) },
    lower: { meta: '{"name":"lower","endpoints":{"docker":{"host":"unix:///l.sock"}}}' },
    builder: { meta: meta('builder', 'ssh://ci@build.example') },
    nohost: { meta: meta('nohost', '') },
    sshtls: { meta: meta('sshtls', 'ssh://h'), tls: { 'ca.pem': CA } },
    web: { meta: meta('web', 'https://engine.example') },
  }, 'colima');
  const cases: [Record<string, string>, EngineEndpoint][] = [
    [{ DOCKER_CONFIG: dir }, { kind: 'unix', socketPath: '/Users/me/.colima/default/docker.sock', source: 'context "colima"', display: 'unix:///Users/me/.colima/default/docker.sock' }],
    [{ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'remote' }, { kind: 'tcp', host: '10.0.0.5', port: 2376, protocol: 'https', tls: { ca: CA, cert: CERT, key: KEY, verify: true }, source: 'context "remote"', display: 'tcp://10.0.0.5:2376' }],
    [{ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'insecure' }, { kind: 'tcp', host: '10.0.0.6', port: 2376, protocol: 'https', tls: { verify: false }, source: 'context "insecure"', display: 'tcp://10.0.0.6:2376' }],
    [{ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'lower' }, { kind: 'unix', socketPath: '/l.sock', source: 'context "lower"', display: 'unix:///l.sock' }],
    [{ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'builder' }, { kind: 'ssh', host: 'build.example', port: 22, protocol: 'ssh', username: 'ci', source: 'context "builder"', display: 'ssh://ci@build.example' }],
    [{ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'nohost' }, { kind: 'unix', socketPath: '/var/run/docker.sock', source: 'context "nohost"', display: 'unix:///var/run/docker.sock' }],
    [{ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'web' }, { kind: 'tcp', host: 'engine.example', port: 2376, protocol: 'https', tls: { verify: true }, source: 'context "web"', display: 'https://engine.example:2376' }],
    [{ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'sshtls' }, { kind: 'ssh', host: 'h', port: 22, protocol: 'ssh', source: 'context "sshtls"', display: 'ssh://h' }],
  ];
  for (const [env, expected] of cases) assert.deepEqual(resolveEngineEndpoints(realEnv(env)), [expected], env.DOCKER_CONTEXT ?? 'currentContext');
});

test('the context store lives in ~/.docker when DOCKER_CONFIG is unset', () => {
  const home = mkdtempSync(join(tmpdir(), 'ms-home-'));
  const dir = configDir({ colima: { meta: meta('colima', 'unix:///c.sock') } }, 'colima');
  mkdirSync(join(home, '.docker'));
  cpSync(dir, join(home, '.docker'), { recursive: true });
  const env = { ...nodeEndpointEnvironment(), platform: 'linux' as const, homeDir: home, env: {} };
  assert.deepEqual(resolveEngineEndpoints(env).map((e) => e.display), ['unix:///c.sock']);
});

test('broken or missing contexts throw ENGINE_CONFIG naming the context and the file', () => {
  const dir = configDir({
    garbled: { meta: '{"Name":' },
    noendpoint: { meta: '{"Name":"noendpoint","Endpoints":{}}' },
    badhost: { meta: meta('badhost', 'gopher://x') },
  });
  const metaPath = (name: string) => join(dir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'), 'meta.json').replace(/[.\\/]/g, '\\$&');
  const run = (name: string) => () => resolveEngineEndpoints(realEnv({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: name }));
  throwsConfig(run('ghost'), 'ENGINE_CONFIG', new RegExp(`^Docker context "ghost" \\(set by DOCKER_CONTEXT\\) was not found: ${metaPath('ghost')} is missing or unreadable\\.$`));
  throwsConfig(run('garbled'), 'ENGINE_CONFIG', new RegExp(`^${metaPath('garbled')} is not valid JSON`), /Docker context "garbled"/);
  throwsConfig(run('noendpoint'), 'ENGINE_CONFIG', new RegExp(`^Docker context "noendpoint" has no docker endpoint in ${metaPath('noendpoint')}\\.$`));
  throwsConfig(run('badhost'), 'ENGINE_CONFIG', new RegExp(`^Docker context "badhost" has host "gopher://x" in ${metaPath('badhost')}, which is not a Docker host: unsupported scheme`));
});

test('Windows paths: config and context store under the user profile', () => {
  const id = contextDirName('wsl');
  const files = {
    'C:\\Users\\me\\.docker\\config.json': '{"currentContext":"wsl"}',
    [`C:\\Users\\me\\.docker\\contexts\\meta\\${id}\\meta.json`]: meta('wsl', 'npipe:////./pipe/dockerDesktopLinuxEngine'),
  };
  const got = resolveEngineEndpoints(fake({ platform: 'win32', homeDir: 'C:\\Users\\me', files }));
  assert.deepEqual(got, [{ kind: 'npipe', socketPath: '//./pipe/dockerDesktopLinuxEngine', source: 'context "wsl"', display: 'npipe:////./pipe/dockerDesktopLinuxEngine' }]);
});

test('nodeEndpointEnvironment reads real files and says undefined for missing ones', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ms-env-'));
  writeFileSync(join(dir, 'f'), 'text');
  const env = nodeEndpointEnvironment();
  assert.equal(env.readFile(join(dir, 'f')), 'text');
  assert.equal(env.readFile(join(dir, 'missing')), undefined);
  assert.equal(env.readFile(dir), undefined, 'a folder is unreadable, not an error');
  assert.equal(env.exists(join(dir, 'f')), true);
  assert.equal(env.exists(join(dir, 'missing')), false);
  assert.equal(env.env, process.env);
  assert.equal(env.platform, process.platform);
});

test('modemOptions gives docker-modem what each kind needs', () => {
  const base = { source: 'DOCKER_HOST' };
  const cases: [EngineEndpoint, Record<string, unknown>][] = [
    [DEFAULT, { socketPath: '/var/run/docker.sock' }],
    [{ ...base, kind: 'npipe', socketPath: '//./pipe/docker_engine', display: '' }, { socketPath: '//./pipe/docker_engine' }],
    [{ ...base, kind: 'tcp', host: 'h', port: 2375, protocol: 'http', display: '' }, { protocol: 'http', host: 'h', port: 2375 }],
    [{ ...base, kind: 'tcp', host: 'h', port: 2376, protocol: 'https', tls: { ca: CA, cert: CERT, key: KEY, verify: true }, display: '' }, { protocol: 'https', host: 'h', port: 2376, ca: CA, cert: CERT, key: KEY }],
    [{ ...base, kind: 'tcp', host: 'h', port: 2376, protocol: 'https', tls: { verify: true }, display: '' }, { protocol: 'https', host: 'h', port: 2376 }],
    [{ ...base, kind: 'tcp', host: 'h', port: 443, protocol: 'https', display: '' }, { protocol: 'https', host: 'h', port: 443 }],
    [{ ...base, kind: 'ssh', host: 'b', port: 2222, protocol: 'ssh', username: 'ci', display: '' }, { protocol: 'ssh', host: 'b', port: 2222, username: 'ci', sshOptions: { agent: '/tmp/agent.sock' } }],
    [{ ...base, kind: 'ssh', host: 'b', port: 22, protocol: 'ssh', display: '' }, { protocol: 'ssh', host: 'b', port: 22, username: 'localuser', sshOptions: { agent: '/tmp/agent.sock' } }],
  ];
  for (const [ep, expected] of cases) assert.deepEqual(modemOptions(ep, { SSH_AUTH_SOCK: '/tmp/agent.sock', USER: 'localuser' }), expected, ep.kind);
  const insecure = modemOptions({ ...base, kind: 'tcp', host: 'h', port: 2376, protocol: 'https', tls: { ca: CA, verify: false }, display: '' }, {});
  assert.ok(insecure.agent instanceof Agent);
  assert.equal((insecure.agent as Agent & { options: { rejectUnauthorized?: boolean } }).options.rejectUnauthorized, false);
  assert.equal(insecure.ca, CA);
});

// A self-signed certificate for 127.0.0.1/localhost, valid 2000-2100, made with openssl for this test.
const SERVER_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgYDdW6jO4+w4LKmgw
m4WnN8qtbz2/BG2j0Oh5XBSkYYihRANCAASlxsqG+C88mpZniX/6GB8VmzbDWUp1
0VN2QWTeD6GLASfwhbP8CVk7zxVwnXYHRKW7qxZAxXM7mBtVPMspmOzG
-----END PRIVATE KEY-----
`;
const SERVER_CERT = `-----BEGIN CERTIFICATE-----
MIIBZTCCAQqgAwIBAgIBATAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAlsb2NhbGhv
c3QwIBcNMDAwMTAxMDAwMDAwWhgPMjEwMDAxMDEwMDAwMDBaMBQxEjAQBgNVBAMM
CWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABKXGyob4LzyalmeJ
f/oYHxWbNsNZSnXRU3ZBZN4PoYsBJ/CFs/wJWTvPFXCddgdEpburFkDFczuYG1U8
yymY7MajSzBJMBoGA1UdEQQTMBGHBH8AAAGCCWxvY2FsaG9zdDAMBgNVHRMEBTAD
AQH/MB0GA1UdDgQWBBSGUVGR3j8ht15f+1HwwIc/CKfABzAKBggqhkjOPQQDAgNJ
ADBGAiEAqtSWP1CayStt22T4Iquhpg7hhzSiGYbp33GG+xWEK+8CIQDR/oH/7i93
ViJ758PkswhdKiRkWUtm3+CpYstPFlZ2YQ==
-----END CERTIFICATE-----
`;

const answer = (_req: unknown, res: import('node:http').ServerResponse) => {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ ApiVersion: '1.45', Version: 'fake' }));
};
/** Listens on a unix socket path, or on a free port of 127.0.0.1. */
const listen = (server: Server, path?: string) => new Promise<void>((resolve) => (path ? server.listen(path, resolve) : server.listen(0, '127.0.0.1', resolve)));
const Docker = require('dockerode') as typeof Dockerode;

test('dockerode connects with modemOptions over a unix socket', { skip: process.platform === 'win32' && 'unix sockets' }, async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'ms-sock-')), 'engine.sock');
  const server = createHttpServer(answer);
  await listen(server, path);
  try {
    const [ep] = resolveEngineEndpoints(fake({ env: { DOCKER_HOST: `unix://${path}` } }));
    assert.ok(ep);
    const version = (await new Docker(modemOptions(ep) as Dockerode.DockerOptions).version()) as { Version?: string };
    assert.equal(version.Version, 'fake');
  } finally {
    server.close();
  }
});

test('dockerode over TLS: verifies against the CA, and skips verification when told to', async () => {
  const server = createHttpsServer({ key: SERVER_KEY, cert: SERVER_CERT }, answer);
  await listen(server);
  const { port } = server.address() as { port: number };
  const ep = (tls: EngineEndpoint['tls']): EngineEndpoint => ({ kind: 'tcp', host: '127.0.0.1', port, protocol: 'https', tls, source: 'DOCKER_HOST', display: '' });
  const version = (tls: EngineEndpoint['tls']) => new Docker(modemOptions(ep(tls), {}) as Dockerode.DockerOptions).version() as Promise<{ Version?: string }>;
  try {
    assert.equal((await version({ ca: SERVER_CERT, verify: true })).Version, 'fake');
    assert.equal((await version({ verify: false })).Version, 'fake');
    await assert.rejects(version({ verify: true }), /self[- ]signed|unable to verify/i);
  } finally {
    server.close();
  }
});

test('unreachableMessage names every endpoint and error, and says how to start or point elsewhere', () => {
  const desktop: EngineEndpoint = { kind: 'unix', socketPath: '/h/.docker/run/docker.sock', source: 'Docker Desktop socket', display: 'unix:///h/.docker/run/docker.sock' };
  const remote: EngineEndpoint = { kind: 'tcp', host: 'h', port: 2376, source: 'DOCKER_HOST', display: 'tcp://h:2376' };
  const colima: EngineEndpoint = { kind: 'unix', socketPath: '/c.sock', source: 'context "colima"', display: 'unix:///c.sock' };
  const linuxStart = 'Start Docker with `sudo systemctl start docker` (or run `dockerd`), or Podman with `systemctl --user start podman.socket`.';
  const desktopStart = 'Start Docker Desktop (or Podman with `podman machine start`) and wait until it says the engine is running.';
  const elsewhere = 'To use another engine, set DOCKER_HOST (e.g. tcp://host:2376 or ssh://user@host) or run `docker context use <name>`.';
  const cases: [string, Parameters<typeof unreachableMessage>, { message: string; hint: string }][] = [
    ['linux, two sockets', [[{ endpoint: DEFAULT, error: 'no such socket' }, { endpoint: desktop, error: 'connection refused' }], 'linux'], {
      message: 'Cannot reach a Docker engine. Tried unix:///var/run/docker.sock (default socket): no such socket; unix:///h/.docker/run/docker.sock (Docker Desktop socket): connection refused.',
      hint: `${linuxStart} ${elsewhere}`,
    }],
    ['macOS, the default socket', [[{ endpoint: DEFAULT, error: 'no such socket' }], 'darwin'], {
      message: 'Cannot reach the Docker engine at unix:///var/run/docker.sock (default socket): no such socket.',
      hint: `${desktopStart} ${elsewhere}`,
    }],
    ['Windows, DOCKER_HOST', [[{ endpoint: remote, error: 'connection refused' }], 'win32'], {
      message: 'Cannot reach the Docker engine at tcp://h:2376 (DOCKER_HOST): connection refused.',
      hint: `${desktopStart} Check that the engine DOCKER_HOST names is running and reachable, or unset DOCKER_HOST to use the local engine.`,
    }],
    ['a context', [[{ endpoint: colima, error: 'no such socket' }], 'darwin'], {
      message: 'Cannot reach the Docker engine at unix:///c.sock (context "colima"): no such socket.',
      hint: `${desktopStart} Check that the engine of context "colima" is running, or switch with \`docker context use default\` (or DOCKER_CONTEXT).`,
    }],
    ['linux, permission denied', [[{ endpoint: DEFAULT, error: 'permission denied (is your user in the docker group?)' }], 'linux'], {
      message: 'Cannot reach the Docker engine at unix:///var/run/docker.sock (default socket): permission denied (is your user in the docker group?).',
      hint: `${linuxStart} ${elsewhere} To use the socket without sudo, run \`sudo usermod -aG docker $USER\` and log in again.`,
    }],
    ['macOS, permission denied: no Linux group advice', [[{ endpoint: DEFAULT, error: 'permission denied' }], 'darwin'], {
      message: 'Cannot reach the Docker engine at unix:///var/run/docker.sock (default socket): permission denied.',
      hint: `${desktopStart} ${elsewhere}`,
    }],
    ['nothing tried', [[], 'linux'], { message: 'Cannot reach a Docker engine: there was no endpoint to try.', hint: `${linuxStart} ${elsewhere}` }],
  ];
  for (const [label, args, expected] of cases) assert.deepEqual(unreachableMessage(...args), expected, label);
});
