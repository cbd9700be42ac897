import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDependencies } from '../../../src/core/detect/requirements';
import type { DependencyFiles } from '../../../src/core/detect/requirementsApi';
import { DEFAULT_SETTINGS } from '../../../src/core/settings';
import type { DirEntry, FileStat } from '../../../src/core/workspaceReader';
import { MemoryReader, type MemoryEntry } from '../../helpers/memoryReader';

const settings = DEFAULT_SETTINGS.detect;

function found(files: Partial<DependencyFiles>): DependencyFiles {
  return { requirements: [], pyproject: [], pipfile: [], conda: [], pythonVersion: [], runtime: [], ...files };
}

async function read(entries: Record<string, MemoryEntry>, files: Partial<DependencyFiles>) {
  return readDependencies(new MemoryReader(entries), found(files), settings);
}

test('includes are followed relative to the including file, each file read once and listed once', async () => {
  const result = await read(
    {
      'requirements.txt': '-r requirements/prod.txt\n-r requirements/base.txt\nflask==3.0.2\n',
      'requirements/prod.txt': '-r base.txt\ngunicorn==21.2.0\n',
      'requirements/base.txt': 'numpy==1.26.4\n',
    },
    { requirements: ['requirements.txt', 'requirements/base.txt', 'requirements/prod.txt'] },
  );
  assert.deepEqual(result.requirements.files, [
    { path: 'requirements.txt', kind: 'requirements.txt' },
    { path: 'requirements/prod.txt', kind: 'requirements.txt' },
    { path: 'requirements/base.txt', kind: 'requirements.txt' },
  ]);
  assert.deepEqual(result.requirements.packages.map((p) => [p.name, p.source, p.line]), [
    ['flask', 'requirements.txt', 3],
    ['gunicorn', 'requirements/prod.txt', 2],
    ['numpy', 'requirements/base.txt', 1],
  ]);
  assert.deepEqual(result.problems.filter((p) => p.code !== 'python-default'), []);
});

test('an include cycle is reported on the line that closes it, and reading goes on', async () => {
  const result = await read(
    {
      'requirements.txt': 'numpy==1.26.4\n-r dev.txt\n',
      'dev.txt': 'pytest==8.1.1\n-r requirements.txt\n',
    },
    { requirements: ['requirements.txt'] },
  );
  assert.deepEqual(result.requirements.packages.map((p) => p.name), ['numpy', 'pytest']);
  const cycle = result.problems.filter((p) => p.code === 'include-cycle');
  assert.deepEqual(cycle.map((p) => [p.path, p.line, p.severity]), [['dev.txt', 2, 'warning']]);
  assert.match(cycle[0]?.message ?? '', /requirements\.txt -> dev\.txt -> requirements\.txt/);
});

test('a file that includes itself is a cycle too', async () => {
  const result = await read({ 'requirements.txt': 'numpy==1.26.4\n-r ./requirements.txt\n' }, { requirements: ['requirements.txt'] });
  assert.deepEqual(result.problems.filter((p) => p.code === 'include-cycle').map((p) => p.line), [2]);
});

test('a missing include names the including file and line', async () => {
  const result = await read(
    { 'app/requirements.txt': 'numpy==1.26.4\n\n-r common.txt\n-c ../constraints/missing.txt\n' },
    { requirements: ['app/requirements.txt'] },
  );
  const missing = result.problems.filter((p) => p.code === 'missing-include');
  assert.deepEqual(missing.map((p) => [p.path, p.line, p.severity]), [
    ['app/requirements.txt', 3, 'error'],
    ['app/requirements.txt', 4, 'error'],
  ]);
  assert.match(missing[0]?.message ?? '', /app\/requirements\.txt line 3 includes app\/common\.txt/);
  assert.match(missing[1]?.message ?? '', /constraints\/missing\.txt/);
});

test('includes outside the project or behind a URL are reported, not read', async () => {
  const result = await read(
    { 'requirements.txt': '-r ../shared/requirements.txt\n-r https://example.com/requirements.txt\n-r /etc/requirements.txt\n' },
    { requirements: ['requirements.txt'] },
  );
  assert.deepEqual(
    result.problems.filter((p) => p.code !== 'python-default').map((p) => [p.code, p.line]),
    [['missing-include', 1], ['remote-include', 2], ['missing-include', 3]],
  );
});

test('a -c constraint file pins what it fixes and is not installed itself', async () => {
  const result = await read(
    {
      'requirements.txt': '-c constraints.txt\nnumpy\npandas>=2\nscipy\n',
      'constraints.txt': 'numpy==1.26.4\npandas>=2.1\nurllib3==2.2.1\n',
    },
    { requirements: ['requirements.txt'] },
  );
  assert.deepEqual(result.requirements.files.map((f) => [f.path, f.kind]), [
    ['requirements.txt', 'requirements.txt'],
    ['constraints.txt', 'constraints'],
  ]);
  assert.deepEqual(result.requirements.packages.map((p) => [p.name, p.pinned]), [
    ['numpy', true],
    ['pandas', false],
    ['scipy', false],
  ]);
  assert.deepEqual(result.problems.filter((p) => p.code === 'unpinned').map((p) => p.line), [3, 4]);
});

test('a file the walker found that another includes with -c stays a constraints file, after its includer', async () => {
  const result = await read(
    {
      'requirements/pins.txt': 'numpy==1.26.4\n',
      'requirements/prod.txt': '-c pins.txt\nnumpy\n',
    },
    { requirements: ['requirements/pins.txt', 'requirements/prod.txt'] },
  );
  assert.deepEqual(result.requirements.files, [
    { path: 'requirements/prod.txt', kind: 'requirements.txt' },
    { path: 'requirements/pins.txt', kind: 'constraints' },
  ]);
  assert.deepEqual(result.requirements.packages.map((p) => [p.name, p.source, p.pinned]), [['numpy', 'requirements/prod.txt', true]]);
});

test('two found files that include each other are both read, and the cycle reported once', async () => {
  const result = await read(
    { 'a.txt': '-r b.txt\nnumpy==1.26.4\n', 'b.txt': '-r a.txt\npandas==2.2.1\n' },
    { requirements: ['a.txt', 'b.txt'] },
  );
  assert.deepEqual(result.requirements.files.map((f) => f.path), ['a.txt', 'b.txt']);
  assert.deepEqual(result.requirements.packages.map((p) => p.name).sort(), ['numpy', 'pandas']);
  assert.deepEqual(result.problems.filter((p) => p.code === 'include-cycle').map((p) => [p.path, p.line]), [['b.txt', 1]]);
});

test('a constraints file the walker found pins too', async () => {
  const result = await read(
    { 'requirements.txt': 'torch\n', 'constraints.txt': 'torch==2.2.1\n' },
    { requirements: ['constraints.txt', 'requirements.txt'] },
  );
  assert.deepEqual(result.requirements.packages.map((p) => [p.name, p.pinned]), [['torch', true]]);
  assert.equal(result.problems.filter((p) => p.code === 'unpinned').length, 0);
});

test('one unpinned warning per requirement line, suggesting a version pinned elsewhere', async () => {
  const result = await read(
    {
      'requirements.txt': 'scikit-learn>=1.3\nnumpy\n',
      'pyproject.toml': '[project]\nname = "x"\ndependencies = ["scikit-learn==1.4.2", "numpy"]\n',
    },
    { requirements: ['requirements.txt'], pyproject: ['pyproject.toml'] },
  );
  const unpinned = result.problems.filter((p) => p.code === 'unpinned');
  assert.deepEqual(unpinned.map((p) => [p.path, p.line]), [
    ['requirements.txt', 1],
    ['requirements.txt', 2],
    ['pyproject.toml', 3],
  ]);
  assert.deepEqual(unpinned[0], {
    code: 'unpinned',
    severity: 'warning',
    path: 'requirements.txt',
    line: 1,
    message: 'scikit-learn is not pinned (>=1.3); pin it (e.g. scikit-learn==1.4.2) so the image is reproducible',
    fix: 'Write scikit-learn==1.4.2, or generate the file with pip-compile (pip-tools) or pip freeze so every package is pinned.',
  });
  assert.equal(unpinned[1]?.message, 'numpy is not pinned (no version); pin it (e.g. numpy==<version>) so the image is reproducible');
});

test('unpinned VCS references suggest a commit', async () => {
  const result = await read({ 'requirements.txt': 'git+https://github.com/org/lib.git@main#egg=lib\n' }, { requirements: ['requirements.txt'] });
  const unpinned = result.problems.filter((p) => p.code === 'unpinned');
  assert.equal(
    unpinned[0]?.message,
    'lib is not pinned (git+https://github.com/org/lib.git@main#egg=lib); pin it (e.g. git+https://github.com/org/lib.git@<full commit hash>) so the image is reproducible',
  );
});

test('a lock file beside a manifest silences its unpinned warnings', async () => {
  const pyproject = '[tool.poetry.dependencies]\npython = "^3.11"\npandas = "^2.1"\n';
  const withLock = await read({ 'pyproject.toml': pyproject, 'poetry.lock': '# lock\n' }, { pyproject: ['pyproject.toml'] });
  assert.equal(withLock.problems.filter((p) => p.code === 'unpinned').length, 0);
  const withoutLock = await read({ 'pyproject.toml': pyproject }, { pyproject: ['pyproject.toml'] });
  assert.deepEqual(withoutLock.problems.filter((p) => p.code === 'unpinned').map((p) => p.line), [3]);
  assert.deepEqual(withoutLock.python, { version: '3.12', source: 'pyproject.toml', constraint: '^3.11' });
});

test('environment.yml: conda deps, pip list with its own lines, includes relative to the file, Python', async () => {
  const result = await read(
    {
      'env/environment.yml': 'name: x\ndependencies:\n  - python=3.10\n  - numpy=1.26.4\n  - cudatoolkit=11.8\n  - pip:\n    - -r requirements-pip.txt\n    - shap==0.44.1\n',
      'env/requirements-pip.txt': 'lightgbm==4.3.0\n',
    },
    { conda: ['env/environment.yml'] },
  );
  assert.deepEqual(result.requirements.files, [
    { path: 'env/environment.yml', kind: 'environment.yml' },
    { path: 'env/requirements-pip.txt', kind: 'requirements.txt' },
  ]);
  assert.deepEqual(result.requirements.conda, [
    { name: 'python', specifier: '=3.10', source: 'env/environment.yml', line: 3 },
    { name: 'numpy', specifier: '=1.26.4', source: 'env/environment.yml', line: 4 },
    { name: 'cudatoolkit', specifier: '=11.8', source: 'env/environment.yml', line: 5 },
  ]);
  assert.deepEqual(result.requirements.packages.map((p) => [p.name, p.source, p.line]), [
    ['shap', 'env/environment.yml', 8],
    ['lightgbm', 'env/requirements-pip.txt', 1],
  ]);
  assert.deepEqual(result.python, { version: '3.10', source: 'env/environment.yml' });
  assert.deepEqual(result.problems.map((p) => [p.code, p.line]), [['unpinned', 5]]);
});

test('Python: .python-version beats requires-python, and the disagreement is a warning naming both', async () => {
  const result = await read(
    {
      '.python-version': '3.10.13\n',
      'pyproject.toml': '[project]\nname = "x"\nrequires-python = ">=3.11"\n',
      'runtime.txt': 'python-3.11.6\n',
    },
    { pythonVersion: ['.python-version'], pyproject: ['pyproject.toml'], runtime: ['runtime.txt'] },
  );
  assert.deepEqual(result.python, { version: '3.10', source: '.python-version' });
  const mismatches = result.problems.filter((p) => p.code === 'python-mismatch');
  assert.deepEqual(mismatches.map((p) => [p.path, p.line]), [['pyproject.toml', 3], ['runtime.txt', 1]]);
  assert.match(mismatches[0]?.message ?? '', /pyproject\.toml.*\.python-version/);
});

test('Python: within one kind the file nearest the root wins', async () => {
  const result = await read(
    { 'services/a/.python-version': '3.9\n', '.python-version': '3.12\n' },
    { pythonVersion: ['services/a/.python-version', '.python-version'] },
  );
  assert.equal(result.python.version, '3.12');
  assert.equal(result.python.source, '.python-version');
});

test('Python: Pipfile and runtime.txt are read when nothing earlier says', async () => {
  const pipfile = await read({ Pipfile: '[packages]\n[requires]\npython_version = "3.9"\n' }, { pipfile: ['Pipfile'] });
  assert.deepEqual(pipfile.python, { version: '3.9', source: 'Pipfile' });
  const runtime = await read({ 'runtime.txt': 'python-3.11.6' }, { runtime: ['runtime.txt'] });
  assert.deepEqual(runtime.python, { version: '3.11', source: 'runtime.txt' });
});

test('Python: nothing says, so the setting decides and an info Problem says how to choose', async () => {
  const result = await readDependencies(new MemoryReader({ 'requirements.txt': 'numpy==1.26.4\n' }), found({ requirements: ['requirements.txt'] }), {
    ...settings,
    defaultPythonVersion: '3.10',
  });
  assert.deepEqual(result.python, { version: '3.10', source: 'default' });
  assert.deepEqual(result.problems, [
    {
      code: 'python-default',
      severity: 'info',
      path: '.',
      message: 'No file names a Python version; assuming 3.10. Add a .python-version file to choose.',
    },
  ]);
});

test('missing, oversized and failing files are unreadable Problems, never throws', async () => {
  class FailingReader extends MemoryReader {
    override async read(path: string, offset: number, length: number): Promise<Uint8Array> {
      if (path === 'Pipfile') throw new Error('EACCES: permission denied');
      return super.read(path, offset, length);
    }
  }
  const reader = new FailingReader({
    'requirements.txt': 'numpy==1.26.4\n',
    'big/requirements.txt': 'x'.repeat(3 * 1024 * 1024),
    Pipfile: '[packages]\n',
  });
  const result = await readDependencies(
    reader,
    found({ requirements: ['requirements.txt', 'big/requirements.txt', 'gone/requirements.txt'], pipfile: ['Pipfile'] }),
    settings,
  );
  assert.deepEqual(result.requirements.files.map((f) => f.path), ['requirements.txt']);
  assert.deepEqual(result.requirements.packages.map((p) => p.name), ['numpy']);
  const unreadable = result.problems.filter((p) => p.code === 'unreadable');
  assert.deepEqual(unreadable.map((p) => p.path), ['big/requirements.txt', 'gone/requirements.txt', 'Pipfile']);
  assert.match(unreadable[0]?.message ?? '', /3145728 bytes/);
  assert.match(unreadable[2]?.message ?? '', /permission denied/);
  assert.equal(reader.bytesRead.get('big/requirements.txt'), undefined);
});

test('a reader that fails on everything still gets a result', async () => {
  class BrokenReader extends MemoryReader {
    override async list(): Promise<DirEntry[]> {
      throw new Error('boom');
    }
    override async stat(): Promise<FileStat> {
      throw new Error('boom');
    }
    override async read(): Promise<Uint8Array> {
      throw new Error('boom');
    }
  }
  const broken = new BrokenReader({ 'requirements.txt': 'numpy==1.26.4\n' });
  const result = await readDependencies(broken, found({ requirements: ['requirements.txt'], pyproject: ['pyproject.toml'], pythonVersion: ['.python-version'] }), settings);
  assert.deepEqual(result.requirements, { files: [], packages: [], options: [], conda: [] });
  assert.deepEqual(result.problems.map((p) => p.code), ['unreadable', 'unreadable', 'unreadable', 'python-default']);
});

test('a UTF-16 requirements file (PowerShell pip freeze) is decoded', async () => {
  const text = 'numpy==1.26.4\r\npandas==2.2.1\r\n';
  const bytes = new Uint8Array(2 + text.length * 2);
  bytes.set([0xff, 0xfe]);
  for (let i = 0; i < text.length; i++) bytes[2 + i * 2] = text.charCodeAt(i);
  const result = await read({ 'requirements.txt': bytes }, { requirements: ['requirements.txt'] });
  assert.deepEqual(result.requirements.packages.map((p) => [p.name, p.specifier, p.line]), [
    ['numpy', '==1.26.4', 1],
    ['pandas', '==2.2.1', 2],
  ]);
});

test('garbage lines are warnings with the line text and exact line, options keep their source', async () => {
  const result = await read(
    { 'requirements.txt': '--extra-index-url https://download.pytorch.org/whl/cu121\ntorch==2.2.1\n<<<<<<< HEAD\nnumpy==1.26.4\n=======\n' },
    { requirements: ['requirements.txt'] },
  );
  assert.deepEqual(result.requirements.options, [
    { option: '--extra-index-url', value: 'https://download.pytorch.org/whl/cu121', line: 1, source: 'requirements.txt' },
  ]);
  const bad = result.problems.filter((p) => p.code === 'unparseable-requirement');
  assert.deepEqual(bad.map((p) => [p.line, p.severity]), [[3, 'warning'], [5, 'warning']]);
  assert.match(bad[0]?.message ?? '', /"<<<<<<< HEAD"/);
});

test('paths listed twice by the walker are read once', async () => {
  const result = await read({ 'requirements.txt': 'numpy==1.26.4\n' }, { requirements: ['requirements.txt', 'requirements.txt'] });
  assert.equal(result.requirements.files.length, 1);
  assert.equal(result.requirements.packages.length, 1);
});

test('a conda package list saved as requirements.txt gets one warning, and its specs go to conda', async () => {
  const exported = [
    '# This file may be used to create an environment using:',
    '# $ conda create --name <env> --file <this file>',
    '# platform: linux-64',
    'numpy=1.26.4=py311h64a7726_0',
    'python=3.11.7=h955ad1f_0',
    'scikit-learn=1.3',
  ].join('\n');
  const result = await read({ 'requirements.txt': exported }, { requirements: ['requirements.txt'] });
  assert.deepEqual(result.requirements.packages, []);
  assert.deepEqual(result.requirements.conda.map((c) => [c.name, c.specifier, c.line]), [
    ['numpy', '=1.26.4=py311h64a7726_0', 4],
    ['python', '=3.11.7=h955ad1f_0', 5],
    ['scikit-learn', '=1.3', 6],
  ]);
  assert.deepEqual(result.problems.map((p) => [p.code, p.line]), [
    ['conda-package-list', 1],
    ['unpinned', 6],
    ['python-default', undefined],
  ]);
});

test('an @EXPLICIT conda list is recognised without a warning per URL', async () => {
  const explicit = '# platform: linux-64\n@EXPLICIT\nhttps://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py311h64a7726_0.conda\n';
  const result = await read({ 'requirements.txt': explicit }, { requirements: ['requirements.txt'] });
  assert.deepEqual(result.problems.map((p) => p.code), ['conda-package-list', 'python-default']);
});

test('one conda-style typo in a pip file is still an unparseable line, not a conda list', async () => {
  const result = await read({ 'requirements.txt': 'numpy=1.26.4\npandas==2.2.1\n' }, { requirements: ['requirements.txt'] });
  assert.deepEqual(result.problems.map((p) => [p.code, p.line]), [['unparseable-requirement', 1], ['python-default', undefined]]);
});

test('a pyproject that trips its reader costs its own dependencies, not the other files\'', async () => {
  // An inline table in [project].dependencies made parsePyproject throw, and every file was dropped.
  const result = await read(
    { 'pyproject.toml': '[project]\nname = "x"\ndependencies = [{ name = "numpy" }]\n', 'requirements.txt': 'scikit-learn==1.2.1\n' },
    { requirements: ['requirements.txt'], pyproject: ['pyproject.toml'] },
  );
  assert.deepEqual(result.requirements.packages.map((p) => p.name), ['scikit-learn']);
  assert.deepEqual(result.requirements.files.map((f) => f.path), ['requirements.txt', 'pyproject.toml']);
  const own = result.problems.filter((p) => p.path === 'pyproject.toml');
  assert.deepEqual(own.map((p) => [p.code, p.line]), [['unparseable-requirement', 3]]);
  assert.match(own[0]!.message, /\{"name":"numpy"\}.*must be a string/);
  assert.ok(!result.problems.some((p) => /Reading the dependency files failed/.test(p.message)));
});

/** `count` files under reqs/, each including `fanout` others (and the root including the first). */
function denseGraph(count: number, fanout: number): Record<string, string> {
  const files: Record<string, string> = { 'requirements.txt': '-r reqs/r0.txt\n' };
  for (let i = 0; i < count; i++) {
    const lines = Array.from({ length: fanout }, (_, k) => `-r r${(i * 7 + k * 13 + 1) % count}.txt`);
    files[`reqs/r${i}.txt`] = [...lines, `pkg${i}==1.0`].join('\n') + '\n';
  }
  return files;
}

test('a densely linked -r graph: each file read once, every message short, the problems few', async () => {
  const files = denseGraph(600, 20);
  const reader = new MemoryReader(files);
  const result = await readDependencies(reader, found({ requirements: ['requirements.txt'] }), settings);
  for (const [path, bytes] of reader.bytesRead) assert.ok(bytes <= new TextEncoder().encode(files[path]!).length, `${path} read ${bytes} bytes`);
  assert.ok(result.problems.length <= 50, `${result.problems.length} problems`);
  for (const p of result.problems) assert.ok(p.message.length < 600, `${p.code}: ${p.message.length} characters`);
});

test('includes nested deeper than the cap stop with one include-limit problem', async () => {
  const files: Record<string, string> = { 'requirements.txt': '-r reqs/r0.txt\n' };
  for (let i = 0; i < 100; i++) files[`reqs/r${i}.txt`] = `-r r${i + 1}.txt\npkg${i}==1.0\n`;
  files['reqs/r100.txt'] = 'last==1.0\n';
  const result = await read(files, { requirements: ['requirements.txt'] });
  const limits = result.problems.filter((p) => p.code === 'include-limit');
  assert.equal(limits.length, 1);
  assert.match(limits[0]!.message, /more than 32 files deep/);
  assert.ok(result.requirements.files.length <= 33);
  assert.ok(!result.requirements.packages.some((p) => p.name === 'last'));
});
