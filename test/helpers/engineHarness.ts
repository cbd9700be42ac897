/**
 * Tools for tests against the real Docker engine: the CLI as a child process, a Unix-socket proxy
 * that records what reaches the engine (to inspect the exact requests sent), and a throwaway
 * second dockerd that a test may stop mid-build without disturbing the main one.
 */
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync, cpSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { skipBecause, TEST_BASE_IMAGE, testBase, type Missing } from './testInfra';

export const CLI = resolve(__dirname, '../../dist/cli.js');
export const MAIN_SOCKET = '/var/run/docker.sock';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `modelship ARGS` and collects its output; `timeoutMs` kills it (code 124) so a hang fails the test instead of stalling it. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; onStderr?: (text: string) => void } = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...options.env }, cwd: options.cwd ?? process.cwd() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      options.onStderr?.(c.toString());
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      res({ code: signal === 'SIGKILL' ? 124 : code ?? 1, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** The docker CLI, synchronously; throws with its stderr when it fails. */
export function docker(args: string[], host?: string): string {
  const res = spawnSync('docker', [...(host ? ['-H', host] : []), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0) throw new Error(`docker ${args.join(' ')} failed: ${res.stderr || res.error?.message}`);
  return res.stdout;
}

/** What the tests against the real engine lack here (the docker client, the engine, or its test base image), or undefined. */
export function engineUnavailable(): Missing | undefined {
  const base = testBase();
  return 'missing' in base ? base : undefined;
}

/** Whether the engine and the test base are here; otherwise skips `t` (fails it under CI), saying why. */
export function needEngine(t: { skip: (message?: string) => void }): boolean {
  const missing = engineUnavailable();
  if (!missing) return true;
  skipBecause(t, missing);
  return false;
}

/** The Python distributions the test base image provides (its org.modelship.base-provides label), for containerize --base-provides. */
export function testBaseProvides(): string {
  const base = testBase();
  if ('missing' in base) throw new Error(base.missing);
  return base.provides;
}

/** containerize's flags that build on the test base image with nothing to download. */
export function testBaseFlags(): string[] {
  return ['--base-image', TEST_BASE_IMAGE, '--base-provides', testBaseProvides()];
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: string;
}

/**
 * A Unix socket that forwards every connection to `target` byte for byte and records each HTTP
 * request's method, path and (non-streaming, JSON) body as it passes.
 */
export async function recordingProxy(target = MAIN_SOCKET): Promise<{ socket: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'ms-proxy-'));
  const socket = join(dir, 'docker.sock');
  const requests: RecordedRequest[] = [];
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    let head = Buffer.alloc(0);
    let recording = true;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      if (!recording) return;
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const [method = '', path = ''] = lines[0]!.split(' ');
      const length = Number(/^content-length:\s*(\d+)/im.exec(lines.join('\n'))?.[1] ?? 0);
      const type = /^content-type:\s*(.*)$/im.exec(lines.join('\n'))?.[1] ?? '';
      if (!type.includes('json') || head.length >= end + 4 + length) {
        requests.push({ method, path, body: type.includes('json') ? head.subarray(end + 4, end + 4 + length).toString('utf8') : '' });
        head = head.subarray(end + 4 + (type.includes('json') ? length : 0));
        // Bodies that are not JSON (build contexts, streams) are not recorded; stop parsing this connection.
        recording = type.includes('json') || type === '';
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return {
    socket,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        rmSync(dir, { recursive: true, force: true });
      }),
  };
}

/**
 * A second dockerd on its own socket, data root and bridge (vfs, no iptables), with a 2 MB image
 * `tiny:1` (sh, echo, sleep). Its own bridge matters: a dockerd started with `--bridge=none`
 * deletes docker0, which the main engine's containers need.
 */
export async function startThrowawayEngine(extraArgs: string[] = []): Promise<{ socket: string; host: string; pid: number; stop(signal: NodeJS.Signals): void; cleanup(): void }> {
  const root = mkdtempSync(join(tmpdir(), 'ms-dockerd-'));
  const socket = join(root, 'docker.sock');
  const host = `unix://${socket}`;
  const log = join(root, 'dockerd.log');
  const bridge = `mslost${process.pid % 100000}`;
  execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
  execFileSync('ip', ['addr', 'add', '172.31.254.1/24', 'dev', bridge]);
  const child = spawn('dockerd', ['--data-root', join(root, 'data'), '--exec-root', join(root, 'exec'), '--pidfile', join(root, 'pid'), '-H', host, `--bridge=${bridge}`, '--iptables=false', '--ip-masq=false', '--ip6tables=false', '--storage-driver=vfs', ...extraArgs], {
    stdio: ['ignore', 'ignore', 'ignore'],
    detached: true,
    env: { ...process.env, DOCKER_LOG: log },
  });
  const deadline = Date.now() + 30_000;
  while (!existsSync(socket) || spawnSync('docker', ['-H', host, 'version'], { encoding: 'utf8' }).status !== 0) {
    if (Date.now() > deadline) throw new Error(`the throwaway dockerd did not start on ${socket}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const rootfs = join(root, 'rootfs');
  for (const binary of ['/bin/sh', '/bin/dash', '/bin/sleep', '/bin/echo']) {
    if (!existsSync(binary)) continue;
    copyWithLibraries(binary, rootfs);
  }
  execFileSync('sh', ['-c', `tar -C '${rootfs}' -c . | docker -H '${host}' import - tiny:1`], { stdio: 'ignore' });
  const cleanup = () => {
    try {
      process.kill(child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
    // The containerd and shims dockerd started under this exec root.
    spawnSync('pkill', ['-9', '-f', root]);
    spawnSync('sh', ['-c', `grep -l '${root}' /proc/mounts >/dev/null 2>&1; awk '$2 ~ "^${root}" {print $2}' /proc/mounts | sort -r | xargs -r umount -l`]);
    rmSync(root, { recursive: true, force: true });
    spawnSync('ip', ['link', 'del', bridge]);
  };
  return { socket, host, pid: child.pid!, stop: (signal) => process.kill(child.pid!, signal), cleanup };
}

function copyWithLibraries(binary: string, rootfs: string): void {
  const libraries = (spawnSync('ldd', [binary], { encoding: 'utf8' }).stdout.match(/\/[^\s)]+/g) ?? []).filter((p) => existsSync(p));
  for (const file of [binary, ...libraries]) {
    const dest = join(rootfs, file);
    mkdirSync(join(dest, '..'), { recursive: true });
    cpSync(readFileSync(file) ? file : file, dest, { dereference: true });
  }
}

/** Debian's docker-registry on a free loopback port with htpasswd auth for `user`/`password`. */
export async function startAuthRegistry(user: string, password: string): Promise<{ address: string; stop(): void }> {
  const root = mkdtempSync(join(tmpdir(), 'ms-registry-'));
  // Python's crypt writes the bcrypt hashes the registry's htpasswd reader accepts ($2b$).
  const hash = execFileSync('python3', ['-W', 'ignore', '-c', 'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))', password], { encoding: 'utf8' }).trim();
  writeFileSync(join(root, 'htpasswd'), `${user}:${hash}\n`);
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  writeFileSync(join(root, 'config.yml'), [
    'version: 0.1',
    'log: { level: error }',
    `storage: { filesystem: { rootdirectory: ${join(root, 'data')} }, delete: { enabled: true } }`,
    `http: { addr: "${address}" }`,
    `auth: { htpasswd: { realm: modelship-test, path: ${join(root, 'htpasswd')} } }`,
    '',
  ].join('\n'));
  const child = spawn('docker-registry', ['serve', join(root, 'config.yml')], { stdio: 'ignore', detached: true });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = await fetch(`http://${address}/v2/`).then((r) => r.status, () => 0);
    if (status === 401) break;
    if (Date.now() > deadline) throw new Error(`docker-registry did not start on ${address}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address,
    stop: () => {
      try {
        process.kill(child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** PEM files for a TLS engine on 127.0.0.1: a CA, a server certificate and a client certificate signed by it. */
export function makeTlsMaterial(dir: string): { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string } {
  mkdirSync(dir, { recursive: true });
  const f = (name: string) => join(dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=modelship-test-ca', '-keyout', f('ca-key.pem'), '-out', f('ca.pem')]);
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(f('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [who, cn] of [['server', 'localhost'], ['client', 'modelship-client']] as const) {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', f(`${who}-key.pem`), '-out', f(`${who}.csr`)]);
    openssl(['x509', '-req', '-in', f(`${who}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca-key.pem'), '-CAcreateserial', '-days', '2', '-extfile', f(`${who}.ext`), '-out', f(`${who}-cert.pem`)]);
  }
  return { ca: f('ca.pem'), serverCert: f('server-cert.pem'), serverKey: f('server-key.pem'), clientCert: f('client-cert.pem'), clientKey: f('client-key.pem') };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => res(port));
    });
  });
}
