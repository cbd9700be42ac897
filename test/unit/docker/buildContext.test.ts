// The build context: planning honours .dockerignore as the docker CLI does (each expectation below was
// checked against the tarball docker CLI 28 sends; test/integration/buildContext.test.ts compares the
// two on the real client and engine), packing streams exactly the plan, reads nothing excluded, and
// fails naming a file that changed since planning.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import * as tar from 'tar-stream';
import { contextSizeWarning, packBuildContext, planBuildContext, type ContextPlan } from '../../../src/docker/buildContext';
import { compilePatterns, matchPath, readDockerignore } from '../../../src/docker/buildContextPatterns';
import { isModelshipError } from '../../../src/core/errors';
import { writeTree, type Node } from '../../helpers/fileTree';


const work = mkdtempSync(join(tmpdir(), 'ms-ctx-'));
after(() => rmSync(work, { recursive: true, force: true }));
let dirs = 0;

/** A fresh context directory holding `tree` (a Dockerfile unless the tree says otherwise). */
function tree(files: Record<string, Node>, withDockerfile = true): string {
  const dir = join(work, `ctx-${dirs++}`);
  mkdirSync(dir);
  const all: Record<string, Node> = withDockerfile ? { Dockerfile: 'FROM scratch\n', ...files } : files;
  writeTree(dir, all);
  return dir;
}

const sent = (plan: ContextPlan): string[] => plan.entries.map((e) => (e.type === 'directory' ? `${e.path}/` : e.path));

async function contextError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isModelshipError(error), `not a ModelshipError: ${String(error)}`);
    assert.equal(error.code, 'BUILD_CONTEXT');
    assert.match(error.message, pattern);
    return true;
  });
}

const APP: Record<string, Node> = {
  'app/main.py': 'print("hi")\n',
  'app/util.pyc': 'pyc',
  'app/sub/deep.pyc': 'pyc',
  'top.pyc': 'pyc',
  'model.pkl': 'model',
  'data/keep.txt': 'keep',
  'data/raw/big.bin': 'big',
  'build/out.o': 'o',
  'src/build/keep.py': 'k',
  'dist/x.whl': 'w',
  'logs/a.log': 'l',
};
const APP_ALL = ['Dockerfile', 'app/', 'app/main.py', 'app/sub/', 'app/sub/deep.pyc', 'app/util.pyc', 'build/', 'build/out.o', 'data/', 'data/keep.txt', 'data/raw/', 'data/raw/big.bin', 'dist/', 'dist/x.whl', 'logs/', 'logs/a.log', 'model.pkl', 'src/', 'src/build/', 'src/build/keep.py', 'top.pyc'];
const without = (...gone: string[]) => APP_ALL.filter((p) => !gone.some((g) => p === g || (g.endsWith('/') && p.startsWith(g))));

const CASES: { name: string; ignore: string; expect: string[] }[] = [
  { name: 'comments and blank lines exclude nothing', ignore: '# data\n\n   \n#app\n', expect: ['.dockerignore', ...APP_ALL] },
  { name: 'a directory name excludes all of it', ignore: 'data\n', expect: ['.dockerignore', ...without('data/')] },
  { name: '! re-includes a file inside an ignored directory (the directory itself is not sent)', ignore: 'data\n!data/keep.txt\n', expect: ['.dockerignore', ...APP_ALL.filter((p) => !p.startsWith('data/') || p === 'data/keep.txt')] },
  { name: '**/*.pyc excludes at every depth, the top included', ignore: '**/*.pyc\n', expect: ['.dockerignore', ...without('app/util.pyc', 'app/sub/deep.pyc', 'top.pyc')] },
  { name: '*.pyc only matches at the top', ignore: '*.pyc\n', expect: ['.dockerignore', ...without('top.pyc')] },
  { name: 'a leading / anchors at the root (src/build stays)', ignore: '/build\n', expect: ['.dockerignore', ...without('build/')] },
  { name: './ is cleaned away', ignore: './dist\n', expect: ['.dockerignore', ...without('dist/')] },
  { name: 'a trailing / is cleaned away', ignore: 'logs/\n', expect: ['.dockerignore', ...without('logs/')] },
  { name: 'CRLF line ends and spaces around patterns', ignore: '  data  \r\nlogs\r\n', expect: ['.dockerignore', ...without('data/', 'logs/')] },
  { name: 'a UTF-8 BOM before the first pattern', ignore: '\ufeffdata\n', expect: ['.dockerignore', ...without('data/')] },
  { name: 'the Dockerfile and .dockerignore are sent even when excluded', ignore: 'Dockerfile\n.dockerignore\n*.pkl\n', expect: ['.dockerignore', ...without('model.pkl')] },
  { name: '* keeps only the Dockerfile and .dockerignore', ignore: '*\n', expect: ['.dockerignore', 'Dockerfile'] },
  { name: '* then ! exceptions, then a re-exclusion inside them', ignore: '*\n!app\n!model.pkl\napp/**/*.pyc\n', expect: ['.dockerignore', 'Dockerfile', 'app/', 'app/main.py', 'app/sub/', 'model.pkl'] },
  { name: 'an exception matching only by ** does not reopen an excluded directory', ignore: 'app\n!**/*.py\n', expect: ['.dockerignore', ...without('app/')] },
  { name: 'after a ! exception, repeating the directory does not re-exclude it (Docker\'s parent-results quirk)', ignore: '*\n!data/keep.txt\ndata\n', expect: ['.dockerignore', 'Dockerfile', 'data/keep.txt'] },
  { name: '**.pyc matches any path ending in .pyc (Docker\'s suffix match)', ignore: '**.pyc\n', expect: ['.dockerignore', ...without('app/util.pyc', 'app/sub/deep.pyc', 'top.pyc')] },
  { name: 'a pattern naming a file inside a directory leaves its siblings', ignore: 'data/raw/big.bin\n', expect: ['.dockerignore', ...without('data/raw/big.bin')] },
];

for (const c of CASES) {
  test(`.dockerignore: ${c.name}`, async () => {
    const dir = tree({ ...APP, '.dockerignore': c.ignore });
    const plan = await planBuildContext(dir);
    assert.deepEqual(sent(plan), c.expect);
    const bytes = plan.entries.filter((e) => e.type === 'file').reduce((n, e) => n + e.size, 0);
    assert.equal(plan.totalBytes, bytes);
  });
}

test('regexp characters are literal, as in Docker: ( ) + | { } $', async () => {
  const dir = tree({ '.dockerignore': 'file(1).txt\na+b\nx{2}\n$y\nc|d\n', 'file(1).txt': '', 'file1.txt': '', 'a+b': '', aab: '', 'x{2}': '', xx: '', $y: '', 'c|d': '', c: '', d: '' });
  assert.deepEqual(sent(await planBuildContext(dir)), ['.dockerignore', 'Dockerfile', 'aab', 'c', 'd', 'file1.txt', 'xx']);
});

test('matching is case-sensitive, as in Docker on Linux', async () => {
  const dir = tree({ '.dockerignore': 'data\n', Data: { dir: true }, 'data/x': '' });
  assert.deepEqual(sent(await planBuildContext(dir)), ['.dockerignore', 'Data/', 'Dockerfile']);
});

test('Dockerfile.dockerignore beside the Dockerfile takes precedence over .dockerignore, and is sent', async () => {
  const dir = tree({ '.dockerignore': 'data\n', 'Dockerfile.dockerignore': 'model.pkl\nDockerfile.dockerignore\n', 'data/x': 'x', 'model.pkl': 'm' });
  const plan = await planBuildContext(dir);
  assert.equal(plan.ignoreFile, 'Dockerfile.dockerignore');
  assert.deepEqual(sent(plan), ['.dockerignore', 'Dockerfile', 'Dockerfile.dockerignore', 'data/', 'data/x']);
});

test('a named Dockerfile in a subdirectory: its own .dockerignore applies, and it is sent from inside an excluded directory', async () => {
  const dir = tree({ 'docker/app.Dockerfile': 'FROM scratch\n', 'docker/app.Dockerfile.dockerignore': 'docker\nmodel.pkl\n', 'docker/other': 'o', 'model.pkl': 'm', 'app.py': 'a' }, false);
  const plan = await planBuildContext(dir, 'docker/app.Dockerfile');
  assert.equal(plan.dockerfile, 'docker/app.Dockerfile');
  assert.equal(plan.ignoreFile, 'docker/app.Dockerfile.dockerignore');
  assert.deepEqual(sent(plan), ['app.py', 'docker/app.Dockerfile', 'docker/app.Dockerfile.dockerignore']);
});

test('the default Dockerfile falls back to a lowercase dockerfile, as the CLI does', async () => {
  const dir = tree({ dockerfile: 'FROM scratch\n' }, false);
  assert.equal((await planBuildContext(dir)).dockerfile, 'dockerfile');
});

test('a symlinked Dockerfile is sent as the file it points to, and the link as a link', async () => {
  const dir = tree({ 'docker/real.Dockerfile': 'FROM scratch\n', Dockerfile: { link: 'docker/real.Dockerfile' }, '.dockerignore': 'docker\n' }, false);
  const plan = await planBuildContext(dir);
  assert.equal(plan.dockerfile, 'docker/real.Dockerfile');
  assert.deepEqual(sent(plan), ['.dockerignore', 'Dockerfile', 'docker/real.Dockerfile']);
});

test('symlinks are kept as links and never followed; empty directories are sent', async () => {
  const dir = tree({ 'a/x': '1', 'to-file': { link: 'a/x' }, 'to-dir': { link: 'a' }, dangling: { link: '../../nowhere' }, empty: { dir: true }, 'deep/er/est': { dir: true } });
  const plan = await planBuildContext(dir);
  assert.deepEqual(sent(plan), ['Dockerfile', 'a/', 'a/x', 'dangling', 'deep/', 'deep/er/', 'deep/er/est/', 'empty/', 'to-dir', 'to-file']);
  const links = Object.fromEntries(plan.entries.filter((e) => e.type === 'symlink').map((e) => [e.path, e.linkTarget]));
  assert.deepEqual(links, { dangling: '../../nowhere', 'to-dir': 'a', 'to-file': 'a/x' });
});

test('names are in the CLI\'s tar order: bytewise per directory, a directory before its contents', async () => {
  const dir = tree({ 'a/x': '', 'a-b': '', 'a.b': '', B: '', _: '', 'é': '', '\uff5e': '', '\u{1f600}': '' });
  assert.deepEqual(sent(await planBuildContext(dir)), ['B', 'Dockerfile', '_', 'a/', 'a/x', 'a-b', 'a.b', 'é', '\uff5e', '\u{1f600}']);
});

test('a Dockerfile outside the context, missing, or linked from outside is a BUILD_CONTEXT error', async () => {
  const outside = tree({});
  const dir = tree({ 'link.Dockerfile': { link: join(outside, 'Dockerfile') } }, false);
  await contextError(planBuildContext(dir, join(outside, 'Dockerfile')), /outside the build context/);
  await contextError(planBuildContext(dir, relative(dir, join(outside, 'Dockerfile'))), /outside the build context/);
  await contextError(planBuildContext(dir, 'link.Dockerfile'), /outside the build context/);
  await contextError(planBuildContext(dir), /No Dockerfile at .*Dockerfile/);
});

test('patterns docker build refuses are BUILD_CONTEXT errors naming the pattern', async () => {
  await contextError(planBuildContext(tree({ '.dockerignore': 'data\n!\n' })), /\.dockerignore: an exception with no path/);
  await contextError(planBuildContext(tree({ '.dockerignore': 'data[\n' })), /\.dockerignore: .*character class.* "data\["/);
  await contextError(planBuildContext(tree({ '.dockerignore': 'data\\\n' })), /trailing backslash/);
  await contextError(planBuildContext(tree({ '.dockerignore': 'a\\qb\n' })), /escape \\q/);
});

test('an unreadable file or directory is an error naming it', async (t) => {
  if (process.getuid?.() === 0) {
    t.skip('root reads everything; permissions cannot make a file unreadable');
    return;
  }
  const dir = tree({ 'secret.txt': { mode: 0o000, text: 's' }, 'ok.txt': '' });
  await contextError(planBuildContext(dir), /Cannot read secret\.txt/);
  const locked = tree({ 'locked/x': '' });
  chmodSync(join(locked, 'locked'), 0o000);
  t.after(() => chmodSync(join(locked, 'locked'), 0o755));
  await contextError(planBuildContext(locked), /Cannot read locked/);
  // Excluded, it is neither read nor an error.
  writeFileSync(join(dir, '.dockerignore'), 'secret.txt\n');
  assert.deepEqual(sent(await planBuildContext(dir)), ['.dockerignore', 'Dockerfile', 'ok.txt']);
});

/** Every entry of a tarball with its header fields and a hash of its contents, in order. */
async function readTar(stream: NodeJS.ReadableStream): Promise<{ name: string; type: string; size: number; mode: number; mtime: number; uid: number; gid: number; linkname: string; sha: string }[]> {
  const out: Awaited<ReturnType<typeof readTar>> = [];
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, body, next) => {
      const hash = createHash('sha256');
      body.on('data', (chunk) => hash.update(chunk as Buffer));
      body.on('end', () => {
        out.push({ name: h.name, type: h.type, size: h.size, mode: h.mode, mtime: h.mtime.getTime(), uid: h.uid, gid: h.gid, linkname: h.linkname ?? '', sha: hash.digest('hex') });
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    stream.on('error', reject);
  });
  stream.pipe(extract as unknown as NodeJS.WritableStream);
  await done;
  return out;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

test('the packed tarball holds exactly the planned entries, headers and contents', async () => {
  const long = `${'nested-directory/'.repeat(8)}a-file-name-long-enough-for-a-pax-header.txt`;
  const dir = tree({
    '.dockerignore': 'data\n!data/keep.txt\n',
    'data/keep.txt': 'keep',
    'data/drop.txt': 'drop',
    'run.sh': { mode: 0o755, text: '#!/bin/sh\necho hi\n' },
    'secret.txt': { mode: 0o600, text: 'secret' },
    'ünïcode.txt': 'ü',
    [long]: 'long',
    'link': { link: 'run.sh' },
    'empty': { dir: true },
  });
  utimesSync(join(dir, 'run.sh'), new Date('2024-01-02T03:04:05.678Z'), new Date('2024-01-02T03:04:05.678Z'));
  const plan = await planBuildContext(dir);
  const packed = packBuildContext(plan);
  const entries = await readTar(packed.stream);
  const contents: Record<string, string> = { '.dockerignore': 'data\n!data/keep.txt\n', Dockerfile: 'FROM scratch\n', 'data/keep.txt': 'keep', 'run.sh': '#!/bin/sh\necho hi\n', 'secret.txt': 'secret', 'ünïcode.txt': 'ü', [long]: 'long' };
  assert.deepEqual(
    entries.map((e) => [e.type, e.name]),
    plan.entries.map((e) => [e.type, e.type === 'directory' ? `${e.path}/` : e.path]),
  );
  for (const [i, e] of entries.entries()) {
    const planned = plan.entries[i]!;
    assert.equal(e.mode, planned.mode, e.name);
    assert.equal(e.mtime, Math.floor(planned.mtimeMs / 1000) * 1000, e.name);
    assert.equal(e.uid, 0);
    assert.equal(e.gid, 0);
    if (planned.type === 'file') {
      assert.equal(e.size, planned.size, e.name);
      assert.equal(e.sha, sha(contents[planned.path]!), e.name);
    }
    if (planned.type === 'symlink') assert.equal(e.linkname, 'run.sh');
  }
  assert.ok(entries.some((e) => e.name === long));
  assert.equal(plan.entries.find((e) => e.path === 'run.sh')?.mode, 0o755);
  assert.equal(plan.entries.find((e) => e.path === 'secret.txt')?.mode, 0o600);
  assert.equal(entries.find((e) => e.name === 'run.sh')?.mtime, Date.parse('2024-01-02T03:04:05Z'));
  assert.equal(packed.bytesRead(), plan.totalBytes);
});

test('an excluded 200 MB sparse file adds nothing to bytesRead, and is counted in the excluded summary', async () => {
  const dir = tree({ '.dockerignore': 'data\n*.ckpt\n', 'app.py': 'print(1)\n', 'data/a.txt': 'aaaa', 'top.ckpt': '' });
  mkdirSync(join(dir, 'data/huge'), { recursive: true });
  writeFileSync(join(dir, 'data/huge/blob.bin'), '');
  truncateSync(join(dir, 'data/huge/blob.bin'), 200 * 1024 * 1024);
  truncateSync(join(dir, 'top.ckpt'), 3 * 1024 * 1024);
  const plan = await planBuildContext(dir);
  assert.deepEqual(sent(plan), ['.dockerignore', 'Dockerfile', 'app.py']);
  assert.deepEqual(plan.excluded, { files: 3, bytes: 200 * 1024 * 1024 + 4 + 3 * 1024 * 1024, largest: [{ path: 'data/', bytes: 200 * 1024 * 1024 + 4 }, { path: 'top.ckpt', bytes: 3 * 1024 * 1024 }] });
  const packed = packBuildContext(plan);
  const entries = await readTar(packed.stream);
  assert.equal(entries.length, 3);
  assert.equal(packed.bytesRead(), plan.totalBytes);
  assert.equal(plan.totalBytes, 'data\n*.ckpt\n'.length + 'FROM scratch\n'.length + 'print(1)\n'.length);
});

test('excluded.largest keeps the five top-level names holding the most bytes', async () => {
  const files: Record<string, Node> = { '.dockerignore': '*\n!Dockerfile\n' };
  for (let i = 1; i <= 7; i++) files[`d${i}/f`] = 'x'.repeat(i * 10);
  const plan = await planBuildContext(tree(files));
  assert.deepEqual(plan.excluded.largest.map((g) => g.path), ['d7/', 'd6/', 'd5/', 'd4/', 'd3/']);
  assert.equal(plan.excluded.files, 7);
});

test('measuring excluded directories stops after 20,000 entries and says the summary is partial', async () => {
  const dir = tree({ '.dockerignore': '.venv\nnode_modules\n', 'app.py': '', 'node_modules/m/index.js': 'x' });
  mkdirSync(join(dir, '.venv/lib'), { recursive: true });
  for (let i = 0; i <= 20_000; i++) writeFileSync(join(dir, `.venv/lib/f${i}`), '');
  const plan = await planBuildContext(dir);
  assert.deepEqual(sent(plan), ['.dockerignore', 'Dockerfile', 'app.py']);
  assert.equal(plan.excluded.partial, true);
  assert.equal(plan.excluded.files, 0);
  const small = await planBuildContext(tree({ '.dockerignore': 'node_modules\n', 'node_modules/m/index.js': 'x' }));
  assert.equal(small.excluded.partial, undefined);
  assert.deepEqual(small.excluded, { files: 1, bytes: 1, largest: [{ path: 'node_modules/', bytes: 1 }] });
});

async function drain(stream: NodeJS.ReadableStream): Promise<void> {
  for await (const _chunk of stream as AsyncIterable<Buffer>) {
    // Only the end, or the error, matters.
  }
}

test('a file that grows between planning and packing fails the stream with its name', async () => {
  const dir = tree({ 'app.py': 'a', 'grows.log': 'short' });
  const plan = await planBuildContext(dir);
  appendFileSync(join(dir, 'grows.log'), ' and longer');
  await contextError(drain(packBuildContext(plan).stream), /grows\.log changed while the build context was being sent \(planned 5 bytes, 16 now\)/);
});

test('a file that shrinks, or disappears, between planning and packing fails with its name', async () => {
  const dir = tree({ 'shrinks.txt': 'long text', 'gone.txt': 'g' });
  const plan = await planBuildContext(dir);
  writeFileSync(join(dir, 'shrinks.txt'), 'x');
  await contextError(drain(packBuildContext(plan).stream), /shrinks\.txt changed/);
  writeFileSync(join(dir, 'shrinks.txt'), 'long text');
  rmSync(join(dir, 'gone.txt'));
  await contextError(drain(packBuildContext(plan).stream), /Cannot read gone\.txt/);
});

test('backpressure: an unread stream reads little; destroying it stops reading', async () => {
  const dir = tree({});
  writeFileSync(join(dir, 'weights.bin'), '');
  truncateSync(join(dir, 'weights.bin'), 64 * 1024 * 1024);
  const plan = await planBuildContext(dir);
  const packed = packBuildContext(plan);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(packed.bytesRead() < 4 * 1024 * 1024, `read ${packed.bytesRead()} bytes with nobody reading`);
  const first = await new Promise<Buffer>((resolve) => packed.stream.once('data', resolve));
  assert.ok(first.length > 0);
  packed.stream.destroy();
  await new Promise((r) => setTimeout(r, 100));
  const after = packed.bytesRead();
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(packed.bytesRead(), after);
  assert.ok(after < 8 * 1024 * 1024, `read ${after} bytes after destroy`);
});

test('contextSizeWarning names the size, the file count and the largest top-level names', () => {
  const plan = (sizes: Record<string, number>): ContextPlan => ({
    root: '/p',
    dockerfile: 'Dockerfile',
    entries: Object.entries(sizes).map(([p, size]) => ({ path: p, type: 'file', size, mode: 0o644, mtimeMs: 0 })),
    totalBytes: Object.values(sizes).reduce((a, b) => a + b, 0),
    excluded: { files: 0, bytes: 0, largest: [] },
  });
  assert.equal(contextSizeWarning(plan({ 'a.py': 1000 })), undefined);
  assert.equal(contextSizeWarning(plan({ 'a.py': 1000 }), 500), 'Build context is 1000 B (1 files); largest: a.py 1000 B. Add it to .dockerignore if the image does not need it.');
  const big: Record<string, number> = { 'Dockerfile': 100, 'data/a.bin': 1024 ** 3, 'data/b.bin': 100 * 1024 ** 2, 'models/m.pt': 80 * 1024 ** 2, 'x/y': 5, 'z': 1 };
  for (let i = 0; i < 3406; i++) big[`src/f${i}.py`] = 10;
  assert.equal(
    contextSizeWarning(plan(big)),
    'Build context is 1.2 GiB (3,412 files); largest: data/ 1.1 GiB, models/ 80 MiB, src/ 33 KiB. Add them to .dockerignore if the image does not need them.',
  );
});

test('readDockerignore reads as ignorefile.ReadAll: comments only at column 0, ! trimmed, paths cleaned and made relative', () => {
  assert.deepEqual(readDockerignore('\ufeff# c\n #not a comment\n! /abs/\n./a/../b/\n/\n!\n\r\n*.pyc \r\n'), ['#not a comment', '!abs', 'b', '/', '!', '*.pyc']);
  assert.deepEqual(readDockerignore('a\\b\n', true), ['a/b']);
});

test('matchPath follows MatchesUsingParentResults: top-level paths check every parent, children use their directory\'s results', () => {
  const set = compilePatterns(['data/raw', '!data/raw/keep']);
  assert.equal(matchPath(set, 'data/raw/x/y', undefined).excluded, true);
  const dataDir = matchPath(set, 'data', undefined);
  const rawDir = matchPath(set, 'data/raw', dataDir.matches);
  assert.equal(rawDir.excluded, true);
  assert.equal(matchPath(set, 'data/raw/keep', rawDir.matches).excluded, false);
  assert.equal(matchPath(set, 'data/raw/other', rawDir.matches).excluded, true);
});
