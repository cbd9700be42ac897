// Push credentials as the docker CLI finds them: the registry of a reference, config.json's
// credHelpers / credsStore / auths, and a real credential helper program spawned from PATH.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';
import { isModelshipError } from '../../../src/core/errors';
import { registryOf, resolveRegistryAuth, spawnCredentialHelper, type HelperResult, type RegistryAuth, type RegistryAuthDeps } from '../../../src/docker/registryAuth';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const HUB = 'https://index.docker.io/v1/';

test('registryOf normalises references as distribution/reference does', () => {
  const cases: [string, string][] = [
    ['iris', 'docker.io'],
    ['iris:1', 'docker.io'],
    ['library/iris:1', 'docker.io'],
    ['me/iris', 'docker.io'],
    ['me/iris@sha256:0123abcd', 'docker.io'],
    ['docker.io/me/iris', 'docker.io'],
    ['index.docker.io/me/iris', 'docker.io'],
    ['registry-1.docker.io/me/iris', 'registry-1.docker.io'],
    ['127.0.0.1:5000/x:y', '127.0.0.1:5000'],
    ['localhost:5000/x', 'localhost:5000'],
    ['localhost/x', 'localhost'],
    ['ghcr.io/a/b', 'ghcr.io'],
    ['ghcr.io/a/b:1.0', 'ghcr.io'],
    ['myregistry:5000/a', 'myregistry:5000'],
    ['Registry/x', 'Registry'],
    ['[::1]:5000/x', '[::1]:5000'],
  ];
  for (const [ref, registry] of cases) assert.equal(registryOf(ref), registry, ref);
});

/** Fake deps: config.json text (or none) and scripted helper answers; records every helper call. */
function deps(config: unknown, helper: (name: string, registry: string) => HelperResult = () => assert.fail('no helper expected')) {
  const calls: [string, string][] = [];
  const d: RegistryAuthDeps = {
    configDir: '/cfg',
    readFile: (p) => (p === join('/cfg', 'config.json') && config !== undefined ? (typeof config === 'string' ? config : JSON.stringify(config)) : undefined),
    runHelper: async (name, registry) => {
      calls.push([name, registry]);
      return helper(name, registry);
    },
  };
  return { d, calls };
}

const ok = (o: object): HelperResult => ({ code: 0, stdout: `${JSON.stringify(o)}\n`, stderr: '' });

test('auths entries in config.json', async () => {
  const cases: [string, string, unknown, RegistryAuth | undefined][] = [
    ['no config.json', 'ghcr.io', undefined, undefined],
    ['an empty config.json', 'ghcr.io', '  ', undefined],
    ['no entry', 'ghcr.io', { auths: { 'quay.io': { auth: b64('a:b') } } }, undefined],
    ['an empty entry', 'ghcr.io', { auths: { 'ghcr.io': {} } }, undefined],
    ['auth is base64 of user:password, split at the first colon', 'ghcr.io', { auths: { 'ghcr.io': { auth: b64('alice:pa:ss') } } }, { username: 'alice', password: 'pa:ss', serveraddress: 'ghcr.io' }],
    ['a key with scheme and path matches by host', 'ghcr.io', { auths: { 'https://ghcr.io/v2/': { auth: b64('a:b') } } }, { username: 'a', password: 'b', serveraddress: 'https://ghcr.io/v2/' }],
    ['the exact key wins over a same-host key', 'ghcr.io', { auths: { 'https://ghcr.io': { auth: b64('x:y') }, 'ghcr.io': { auth: b64('a:b') } } }, { username: 'a', password: 'b', serveraddress: 'ghcr.io' }],
    ['a registry with a port', 'localhost:5000', { auths: { 'http://localhost:5000': { auth: b64('a:b') } } }, { username: 'a', password: 'b', serveraddress: 'http://localhost:5000' }],
    ['identitytoken', 'ghcr.io', { auths: { 'ghcr.io': { identitytoken: 'tok' } } }, { identitytoken: 'tok', serveraddress: 'ghcr.io' }],
    ['username and password fields', 'ghcr.io', { auths: { 'ghcr.io': { username: 'u', password: 'p' } } }, { username: 'u', password: 'p', serveraddress: 'ghcr.io' }],
    ['auth wins over the fields', 'ghcr.io', { auths: { 'ghcr.io': { auth: b64('a:b'), username: 'u', password: 'p' } } }, { username: 'a', password: 'b', serveraddress: 'ghcr.io' }],
    ['a credHelper for another registry changes nothing', 'ghcr.io', { credHelpers: { 'gcr.io': 'gcloud' }, auths: { 'ghcr.io': { auth: b64('a:b') } } }, { username: 'a', password: 'b', serveraddress: 'ghcr.io' }],
  ];
  for (const hubKey of [HUB, 'index.docker.io', 'docker.io', 'registry-1.docker.io', 'https://index.docker.io/v2/']) {
    cases.push([`Docker Hub under ${hubKey}`, 'docker.io', { auths: { [hubKey]: { auth: b64('hub:pw') } } }, { username: 'hub', password: 'pw', serveraddress: hubKey }]);
  }
  cases.push(['Docker Hub: the CLI key wins', 'docker.io', { auths: { 'docker.io': { auth: b64('x:y') }, [HUB]: { auth: b64('hub:pw') } } }, { username: 'hub', password: 'pw', serveraddress: HUB }]);
  cases.push(['Docker Hub: then the key docker.io', 'docker.io', { auths: { 'index.docker.io': { auth: b64('x:y') }, 'docker.io': { auth: b64('hub:pw') } } }, { username: 'hub', password: 'pw', serveraddress: 'docker.io' }]);
  cases.push(['registry-1.docker.io is Docker Hub too', 'registry-1.docker.io', { auths: { [HUB]: { auth: b64('hub:pw') } } }, { username: 'hub', password: 'pw', serveraddress: HUB }]);
  for (const [label, registry, config, expected] of cases) assert.deepEqual(await resolveRegistryAuth(registry, deps(config).d), expected, label);
});

/** Asserts a REGISTRY_AUTH error with this exact message, and that no secret leaked into it. */
async function rejectsWith(promise: Promise<unknown>, message: string | RegExp, secrets: string[] = []): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isModelshipError(error), String(error));
    assert.equal(error.code, 'REGISTRY_AUTH');
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    assert.ok(error.hint);
    for (const s of secrets) assert.ok(!`${error.message} ${error.hint}`.includes(s), `leaks ${s}`);
    return true;
  });
}

test('a broken config.json or saved login throws REGISTRY_AUTH naming the file, never the secret', async () => {
  const path = join('/cfg', 'config.json');
  await rejectsWith(resolveRegistryAuth('ghcr.io', deps('{"auths": {').d), new RegExp(`^${path.replace(/[/\\.]/g, '\\$&')} is not valid JSON \\(.*\\), so the login for ghcr\\.io cannot be read\\.$`));
  await rejectsWith(resolveRegistryAuth('ghcr.io', deps({ auths: { 'ghcr.io': { auth: b64('nocolonsecret') } } }).d), `The saved login for ghcr.io in ${path} is not valid base64 of "user:password".`, ['nocolonsecret', b64('nocolonsecret')]);
  await rejectsWith(resolveRegistryAuth('ghcr.io', deps({ auths: { 'ghcr.io': { auth: 'not base64!' } } }).d), `The saved login for ghcr.io in ${path} is not valid base64 of "user:password".`, ['not base64!']);
});

test('credential helpers: credHelpers first, then credsStore, asked with the CLI server address', async () => {
  const alice = ok({ ServerURL: 'x', Username: 'alice', Secret: 's3cret' });
  const cases: [string, string, unknown, HelperResult, [string, string][], RegistryAuth | undefined][] = [
    ['credsStore for Docker Hub', 'docker.io', { credsStore: 'desktop' }, alice, [['desktop', HUB]], { username: 'alice', password: 's3cret', serveraddress: HUB }],
    ['credHelpers by exact key', 'gcr.io', { credHelpers: { 'gcr.io': 'gcloud' } }, alice, [['gcloud', 'gcr.io']], { username: 'alice', password: 's3cret', serveraddress: 'gcr.io' }],
    ['credHelpers by host', 'gcr.io', { credHelpers: { 'https://gcr.io': 'gcloud' } }, alice, [['gcloud', 'gcr.io']], { username: 'alice', password: 's3cret', serveraddress: 'gcr.io' }],
    ['credHelpers wins over credsStore', 'gcr.io', { credsStore: 'desktop', credHelpers: { 'gcr.io': 'gcloud' } }, alice, [['gcloud', 'gcr.io']], { username: 'alice', password: 's3cret', serveraddress: 'gcr.io' }],
    ['credsStore for a registry without its own helper', 'ghcr.io', { credsStore: 'desktop', credHelpers: { 'gcr.io': 'gcloud' } }, alice, [['desktop', 'ghcr.io']], { username: 'alice', password: 's3cret', serveraddress: 'ghcr.io' }],
    ['"<token>" means an identity token', 'ghcr.io', { credsStore: 'pass' }, ok({ Username: '<token>', Secret: 'refresh' }), [['pass', 'ghcr.io']], { identitytoken: 'refresh', serveraddress: 'ghcr.io' }],
    ['not found in the keychain: anonymous', 'ghcr.io', { credsStore: 'osxkeychain' }, { code: 1, stdout: 'credentials not found in native keychain\n', stderr: '' }, [['osxkeychain', 'ghcr.io']], undefined],
    ['not found on stderr too', 'ghcr.io', { credsStore: 'osxkeychain' }, { code: 1, stdout: '', stderr: 'credentials not found in native keychain' }, [['osxkeychain', 'ghcr.io']], undefined],
    ['an empty secret: anonymous', 'ghcr.io', { credsStore: 'desktop' }, ok({ Username: '', Secret: '' }), [['desktop', 'ghcr.io']], undefined],
    ['a store is asked even when auths has a login, as the CLI does', 'ghcr.io', { credsStore: 'desktop', auths: { 'ghcr.io': { auth: b64('a:b') } } }, { code: 1, stdout: 'credentials not found in native keychain', stderr: '' }, [['desktop', 'ghcr.io']], undefined],
    ['an empty credsStore is no store', 'ghcr.io', { credsStore: '', auths: { 'ghcr.io': { auth: b64('a:b') } } }, alice, [], { username: 'a', password: 'b', serveraddress: 'ghcr.io' }],
  ];
  for (const [label, registry, config, answer, expectedCalls, expected] of cases) {
    const { d, calls } = deps(config, () => answer);
    assert.deepEqual(await resolveRegistryAuth(registry, d), expected, label);
    assert.deepEqual(calls, expectedCalls, label);
  }
});

test('a failing helper throws REGISTRY_AUTH with its name and what it said, never the secret', async () => {
  const run = (answer: HelperResult, registry = 'docker.io') => resolveRegistryAuth(registry, deps({ credsStore: 'desktop' }, () => answer).d);
  await rejectsWith(run({ code: 1, stdout: '', stderr: 'keychain locked\nmore detail\n' }), 'docker-credential-desktop could not get the credentials for docker.io: keychain locked');
  await rejectsWith(run({ code: 1, stdout: 'error getting credentials\n', stderr: '' }, 'ghcr.io'), 'docker-credential-desktop could not get the credentials for ghcr.io: error getting credentials');
  await rejectsWith(run({ code: 2, stdout: '', stderr: '' }), 'docker-credential-desktop could not get the credentials for docker.io: exit code 2');
  await rejectsWith(run({ code: 0, stdout: 'Username=alice Secret=s3cret', stderr: '' }), 'docker-credential-desktop answered for docker.io with something that is not JSON.', ['s3cret']);
  const hints: [HelperResult, string][] = [
    [{ code: 127, stdout: '', stderr: 'docker-credential-desktop was not found on PATH.' }, `Install docker-credential-desktop, or remove "credsStore"/"credHelpers" for ghcr.io from ${join('/cfg', 'config.json')}.`],
    [{ code: 1, stdout: '', stderr: 'locked' }, 'Run `docker login ghcr.io` and try again.'],
  ];
  for (const [answer, hint] of hints) await assert.rejects(run(answer, 'ghcr.io'), (e: { hint?: string }) => e.hint === hint);
  await assert.rejects(run({ code: 1, stdout: '', stderr: 'locked' }), (e: { hint?: string }) => e.hint === 'Run `docker login` and try again.');
});

/** A real helper program on PATH that answers per server URL and records what it was sent. */
function installFakeHelper(): { dir: string; restore: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ms-cred-helper-'));
  const script = `#!/bin/sh
[ "$1" = get ] || { echo "unexpected action $1" >&2; exit 3; }
cat > "${dir}/last-url"
url=$(cat "${dir}/last-url")
case "$url" in
  ${HUB}) echo '{"ServerURL":"${HUB}","Username":"alice","Secret":"s3cret"}' ;;
  ghcr.io) echo '{"ServerURL":"ghcr.io","Username":"<token>","Secret":"refresh"}' ;;
  nothing.example) echo 'credentials not found in native keychain'; exit 1 ;;
  slow.example) exec sleep 5 ;;
  *) echo 'keychain locked' >&2; exit 1 ;;
esac
`;
  writeFileSync(join(dir, 'docker-credential-fake'), script);
  chmodSync(join(dir, 'docker-credential-fake'), 0o755);
  const saved = process.env.PATH;
  process.env.PATH = `${dir}${delimiter}${saved ?? ''}`;
  return { dir, restore: () => void (process.env.PATH = saved) };
}

const posixOnly = { skip: process.platform === 'win32' && 'the fake helper is a shell script' };

test('spawnCredentialHelper runs docker-credential-<name> get with the server URL on stdin', posixOnly, async () => {
  const { dir, restore } = installFakeHelper();
  try {
    const hub = await spawnCredentialHelper('fake', HUB);
    assert.deepEqual(hub, { code: 0, stdout: `{"ServerURL":"${HUB}","Username":"alice","Secret":"s3cret"}\n`, stderr: '' });
    assert.equal(readFileSync(join(dir, 'last-url'), 'utf8'), HUB, 'exactly the URL, no newline');
    assert.deepEqual(await spawnCredentialHelper('fake', 'nothing.example'), { code: 1, stdout: 'credentials not found in native keychain\n', stderr: '' });
    assert.deepEqual(await spawnCredentialHelper('fake', 'other.example'), { code: 1, stdout: '', stderr: 'keychain locked\n' });
    assert.deepEqual(await spawnCredentialHelper('nosuchhelper', HUB), { code: 127, stdout: '', stderr: 'docker-credential-nosuchhelper was not found on PATH.' });
    assert.deepEqual(await spawnCredentialHelper('../fake', HUB), { code: 127, stdout: '', stderr: '"../fake" is not a credential helper name.' });
    const started = Date.now();
    assert.deepEqual(await spawnCredentialHelper('fake', 'slow.example', 300), { code: 124, stdout: '', stderr: 'docker-credential-fake did not answer within 0.3 s.' });
    assert.ok(Date.now() - started < 3000, 'the timeout ends the wait');
  } finally {
    restore();
  }
});

test('resolveRegistryAuth with the real helper, end to end', posixOnly, async () => {
  const { restore } = installFakeHelper();
  const configDir = mkdtempSync(join(tmpdir(), 'ms-docker-config-'));
  writeFileSync(join(configDir, 'config.json'), JSON.stringify({ auths: { [HUB]: {} }, credsStore: 'fake' }));
  const real: RegistryAuthDeps = { configDir, readFile: (p) => readFileSync(p, 'utf8'), runHelper: (name, registry) => spawnCredentialHelper(name, registry) };
  try {
    assert.deepEqual(await resolveRegistryAuth(registryOf('me/iris:1'), real), { username: 'alice', password: 's3cret', serveraddress: HUB });
    assert.deepEqual(await resolveRegistryAuth(registryOf('ghcr.io/me/iris:1'), real), { identitytoken: 'refresh', serveraddress: 'ghcr.io' });
    assert.equal(await resolveRegistryAuth('nothing.example', real), undefined);
    await rejectsWith(resolveRegistryAuth('locked.example', real), 'docker-credential-fake could not get the credentials for locked.example: keychain locked');
  } finally {
    restore();
  }
});
