// Our build context against the docker CLI's own, for .dockerignore cases that matter (and those where
// @balena/dockerignore gets Docker wrong). Two checks per case:
//  - the tarball: the CLI (DOCKER_BUILDKIT=0) sends its context to a stand-in engine on a Unix socket
//    in this process, and every entry (order, type, name, size, mode, mtime, owner, link, contents) must
//    equal what packBuildContext streams. Needs only the docker client.
//  - the image: the same context built twice on the real engine, once by `docker build` and once by
//    POSTing our tarball to /v1.41/build, with `COPY . /ctx` and a listing of /ctx; the listings must
//    be identical. Needs the engine and the test base image (no network).
// Without them these skip, saying why; under CI they fail instead.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as tar from 'tar-stream';
import { packBuildContext, planBuildContext } from '../../src/docker/buildContext';
import { engineUnavailable } from '../helpers/engineHarness';
import { ENGINE_SOCKET as SOCKET } from '../helpers/engineSocket';
import { writeTree, type Node } from '../helpers/fileTree';
import { skipBecause, TEST_BASE_IMAGE as BASE, type Missing } from '../helpers/testInfra';

const DOCKERFILE = `FROM ${BASE}\nCOPY . /ctx\nRUN cd /ctx && find . -printf '%p %y %m %s %l\\n' | sort > /listing.txt\n`;


/** One context: the files, the .dockerignore and where the Dockerfile is. */
interface Case {
  name: string;
  tree: Record<string, Node>;
  dockerignore?: string;
  /** Context-relative Dockerfile path; `Dockerfile` when absent. */
  dockerfile?: string;
}

const APP: Record<string, Node> = {
  'app/main.py': 'print("hi")\n',
  'app/__pycache__/main.cpython-311.pyc': 'pyc',
  'app/util.pyc': 'pyc',
  'model.pkl': 'model bytes',
  'data/train.csv': 'a,b\n1,2\n',
  'data/keep.txt': 'keep me\n',
  'data/raw/big.bin': 'x'.repeat(4096),
  'README.md': '# readme\n',
};

const CASES: Case[] = [
  { name: 'no .dockerignore', tree: APP },
  { name: 'an exception re-includes a file inside an ignored directory', tree: APP, dockerignore: 'data\n!data/keep.txt\n' },
  {
    name: 'comments, **/*.pyc, a leading /, ./ and a trailing /',
    tree: { ...APP, 'build/out.o': 'o', 'src/build/keep.py': 'k', 'dist/x.whl': 'w', 'logs/a.log': 'l', '#notes': 'n' },
    dockerignore: '# a comment\n\n   \n**/*.pyc\n/build\n./dist\nlogs/\n #notes\n',
  },
  { name: 'an excluded Dockerfile and .dockerignore are still sent', tree: APP, dockerignore: 'Dockerfile\n.dockerignore\n*.md\n' },
  { name: '* then exceptions', tree: APP, dockerignore: '*\n!app\n!model.pkl\n**/__pycache__\n' },
  {
    name: 'a Dockerfile inside an excluded directory, named with -f',
    tree: { ...APP, 'docker/app.Dockerfile': DOCKERFILE, 'docker/other.txt': 'o' },
    dockerignore: 'docker\n',
    dockerfile: 'docker/app.Dockerfile',
  },
  {
    name: 'Docker semantics @balena/dockerignore misses: literal ( ) + | { }, **suffix, re-exclusion after an exception',
    tree: { ...APP, 'file(1).txt': 'p', 'file1.txt': 'q', 'a+b': 'r', 'aab': 's', 'x{2}': 't', 'logs/deep/app.log': 'u', 'notes.log': 'v' },
    dockerignore: 'file(1).txt\na+b\nx{2}\n**.log\n*\n!data/keep.txt\ndata\n!app\n!file1.txt\n!aab\n!notes.log\n!Dockerfile\n',
  },
  {
    name: 'symlinks, empty directories, modes, long and non-ASCII names, byte order',
    tree: {
      'a/x': '1', 'a-b': '2', 'a.b': '3', 'B': '4', '_': '5', 'é.txt': '6', '\uff5e': '7', '\u{1f600}': '8',
      'link-to-file': { link: 'a/x' }, 'link-to-dir': { link: 'a' }, 'dangling': { link: 'nowhere/at/all' },
      'empty': { dir: true }, 'nested/empty/too': { dir: true },
      'run.sh': { mode: 0o755, text: '#!/bin/sh\n' }, 'secret.txt': { mode: 0o600, text: 's' },
      [`${'deep/'.repeat(25)}file-with-a-long-name.txt`]: 'long',
    },
    dockerignore: 'nested/empty\n!nested/empty/too\n',
  },
];

function writeCase(dir: string, c: Case): void {
  const files: Record<string, Node> = { [c.dockerfile ?? 'Dockerfile']: DOCKERFILE, ...c.tree };
  if (c.dockerignore !== undefined) files['.dockerignore'] = c.dockerignore;
  writeTree(dir, files);
  // Fixed mtimes, so that the CLI's tarball and ours can be compared header by header.
  const when = new Date('2024-05-01T12:00:00.250Z');
  for (const rel of Object.keys(files)) {
    if (typeof files[rel] === 'object' && 'link' in (files[rel] as object)) continue;
    utimesSync(join(dir, rel), when, when);
  }
}

interface TarRecord {
  type: string;
  name: string;
  size: number;
  mode: string;
  mtime: number;
  owner: string;
  link: string;
  sha: string;
}

/** Reads a tarball into one record per entry, in order. */
function readTar(source: NodeJS.ReadableStream): Promise<TarRecord[]> {
  return new Promise((resolve, reject) => {
    const records: TarRecord[] = [];
    const extract = tar.extract();
    extract.on('entry', (h, body, next) => {
      const hash = createHash('sha256');
      body.on('data', (chunk) => hash.update(chunk as Buffer));
      body.on('end', () => {
        records.push({
          type: h.type,
          name: h.name.replace(/\/$/, ''),
          size: h.size,
          mode: h.mode.toString(8),
          mtime: Math.floor(h.mtime.getTime() / 1000),
          owner: `${h.uid}:${h.gid}`,
          link: h.linkname ?? '',
          sha: hash.digest('hex').slice(0, 16),
        });
        next();
      });
    });
    extract.on('finish', () => resolve(records));
    extract.on('error', reject);
    source.on('error', reject);
    source.pipe(extract as unknown as NodeJS.WritableStream);
  });
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function docker(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 180_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile('docker', args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, DOCKER_BUILDKIT: '0', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/**
 * The tarball `docker build` sends for `dir`: the CLI talks to a stand-in engine on a Unix socket
 * that answers /_ping and keeps the body of POST /build.
 */
async function cliTarball(dir: string, dockerfile: string, work: string): Promise<TarRecord[]> {
  const socket = join(work, `engine-${process.pid}.sock`);
  let records: Promise<TarRecord[]> | undefined;
  const server = http.createServer((req, res) => {
    const headers = { 'Api-Version': '1.41', 'Ostype': 'linux', 'Docker-Experimental': 'false' };
    if (req.url?.endsWith('/_ping')) {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/plain' });
      res.end(req.method === 'HEAD' ? undefined : 'OK');
    } else if (req.url?.includes('/build')) {
      records = readTar(req);
      void records.then(() => {
        res.writeHead(200, { ...headers, 'Content-Type': 'application/json' });
        res.end(`${JSON.stringify({ aux: { ID: `sha256:${'0'.repeat(64)}` } })}\n`);
      });
    } else {
      res.writeHead(404, headers);
      res.end('{"message":"not in this stand-in"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  try {
    const run = await docker(['build', '-q', '-f', join(dir, dockerfile), dir], { DOCKER_HOST: `unix://${socket}` }, 60_000);
    assert.equal(run.code, 0, `docker build against the stand-in failed:\n${run.stdout}\n${run.stderr}`);
    assert.ok(records, 'the CLI never sent a context');
    return await records;
  } finally {
    server.close();
    rmSync(socket, { force: true });
  }
}

/** POSTs our tarball of `dir` to the engine's /build; resolves when the engine says it is done. */
async function apiBuild(dir: string, dockerfile: string | undefined, tag: string): Promise<void> {
  const plan = await planBuildContext(dir, dockerfile);
  const { stream } = packBuildContext(plan);
  const query = new URLSearchParams({ t: tag, dockerfile: plan.dockerfile, nocache: '1', rm: '1', forcerm: '1', networkmode: 'none' });
  const body = await new Promise<string>((resolve, reject) => {
    const req = http.request({ socketPath: SOCKET, method: 'POST', path: `/v1.41/build?${query}`, headers: { 'Content-Type': 'application/x-tar' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`POST /build answered ${res.statusCode}: ${text}`))));
    });
    req.on('error', reject);
    stream.on('error', (err: Error) => req.destroy(err));
    stream.pipe(req);
  });
  const failed = body.split('\n').filter((l) => l.includes('"error"'));
  assert.deepEqual(failed, [], `the engine's build of our tarball failed:\n${body}`);
}

async function listing(tag: string): Promise<string> {
  const run = await docker(['run', '--rm', '--network', 'none', tag, 'cat', '/listing.txt']);
  assert.equal(run.code, 0, run.stderr);
  return run.stdout;
}

const clientMissing: Missing | undefined = spawnSync('docker', ['--version'], { encoding: 'utf8' }).error
  ? { component: 'docker client', missing: 'no docker client on PATH: run `npm run setup:engine` (as root), which installs Debian\'s docker.io' }
  : undefined;

/** Skips the test (or, under CI, fails it) when `missing` is set; true when the test should go on. */
function need(t: { skip: (message?: string) => void }, missing: Missing | undefined): boolean {
  if (!missing) return true;
  skipBecause(t, missing);
  return false;
}

const work = mkdtempSync(join(tmpdir(), 'ms-ctx-it-'));
const tags: string[] = [];
after(async () => {
  if (tags.length) await docker(['image', 'rm', '--force', ...tags]);
  rmSync(work, { recursive: true, force: true });
});

CASES.forEach((c, i) => {
  const dir = join(work, `case-${i}`);
  test(`the tarball equals the docker CLI's: ${c.name}`, { timeout: 60_000 }, async (t) => {
    if (!need(t, clientMissing)) return;
    rmSync(dir, { recursive: true, force: true });
    writeCase(dir, c);
    const plan = await planBuildContext(dir, c.dockerfile);
    const packed = packBuildContext(plan);
    const ours = await readTar(packed.stream);
    const theirs = await cliTarball(dir, c.dockerfile ?? 'Dockerfile', work);
    assert.deepEqual(ours, theirs);
    assert.equal(packed.bytesRead(), plan.totalBytes);
  });

  test(`the image equals docker build's: ${c.name}`, { timeout: 300_000 }, async (t) => {
    if (!need(t, clientMissing ?? engineUnavailable())) return;
    rmSync(dir, { recursive: true, force: true });
    writeCase(dir, c);
    const cliTag = `modelship-it/ctx-cli:${process.pid}-${i}`;
    const apiTag = `modelship-it/ctx-api:${process.pid}-${i}`;
    tags.push(cliTag, apiTag);
    const cli = await docker(['build', '--no-cache', '--network', 'none', '-q', '-t', cliTag, '-f', join(dir, c.dockerfile ?? 'Dockerfile'), dir]);
    assert.equal(cli.code, 0, `docker build failed:\n${cli.stdout}\n${cli.stderr}`);
    await apiBuild(dir, c.dockerfile, apiTag);
    const [fromCli, fromApi] = [await listing(cliTag), await listing(apiTag)];
    assert.ok(fromCli.split('\n').length > 3, `a listing with hardly anything in it:\n${fromCli}`);
    assert.equal(fromApi, fromCli);
  });
});
