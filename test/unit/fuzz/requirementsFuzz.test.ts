// Seeded fuzzing of the dependency readers (requirements.txt, pyproject.toml with Poetry, Pipfile,
// environment.yml, -r/-c graphs): mutated seeds never make a reader throw, and every reader's time
// grows linearly with its input, measured as ratios (see fuzzSupport.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDependencies } from '../../../src/core/detect/requirements';
import { parseCondaEnvironment } from '../../../src/core/detect/requirements/parseCondaEnvironment';
import { parsePipfile } from '../../../src/core/detect/requirements/parsePipfile';
import { parsePyproject } from '../../../src/core/detect/requirements/parsePyproject';
import { parseRequirementsTxt } from '../../../src/core/detect/requirements/parseRequirementsTxt';
import { toRequirement } from '../../../src/core/detect/requirements/requirement';
import type { DependencyFiles } from '../../../src/core/detect/requirementsApi';
import type { Problem } from '../../../src/core/detect/types';
import { DEFAULT_SETTINGS } from '../../../src/core/settings';
import { MemoryReader } from '../../helpers/memoryReader';
import { assertLinear, EXAMPLE_DIR, forEachCase, FUZZ_DIR, fuzzCases, mutateText, type Rng } from './fuzzSupport';

const seed = (name: string): string => readFileSync(join(FUZZ_DIR, name), 'utf8');
const SEEDS = {
  requirements: [seed('requirements.txt'), seed('base.txt'), seed('constraints.txt'), readFileSync(join(EXAMPLE_DIR, 'requirements.txt'), 'utf8')],
  pyproject: [seed('pyproject.toml')],
  pipfile: [seed('Pipfile')],
  conda: [seed('environment.yml')],
};
const ALL_SEEDS = Object.values(SEEDS).flat();

function files(partial: Partial<DependencyFiles>): DependencyFiles {
  return { requirements: [], pyproject: [], pipfile: [], conda: [], pythonVersion: [], runtime: [], ...partial };
}

/** What every reader's problems must look like, whatever the input. */
function checkProblems(problems: Problem[]): void {
  for (const p of problems) {
    assert.equal(typeof p.message, 'string');
    assert.ok(p.message.length < 2000, `a ${p.message.length}-character message: ${p.message.slice(0, 80)}`);
    assert.doesNotMatch(p.message, /call stack|is not a function|Cannot (read|convert)|undefined \(reading/, p.message);
  }
}

test('mutated dependency files: no reader throws, every problem is short and ours', async () => {
  await forEachCase(0x5eed01, fuzzCases(600), (rng) => {
    const kind = rng.pick(['requirements', 'pyproject', 'pipfile', 'conda'] as const);
    const text = mutateText(rng.pick(SEEDS[kind]), rng, ALL_SEEDS);
    if (kind === 'requirements') {
      const parsed = parseRequirementsTxt(text);
      for (const r of parsed.requirements) toRequirement(r.spec, 'requirements.txt', r.line);
      JSON.stringify(parsed);
    } else if (kind === 'pyproject') {
      checkProblems(parsePyproject(text, 'pyproject.toml').problems);
    } else if (kind === 'pipfile') {
      checkProblems(parsePipfile(text, 'Pipfile').problems);
    } else {
      const result = parseCondaEnvironment(text, 'environment.yml');
      checkProblems(result.problems);
      JSON.stringify(result);
    }
  });
});

/** A random TOML value of the kinds a manifest may hold where a dependency belongs. */
function tomlValue(rng: Rng, depth = 0): string {
  const strings = ['numpy==1.26.4', '^1.2', '*', '>=2,<3', 'x @ git+https://h/r@v1.0', 'not a spec', '', 'a; b', 'pkg[extra]~=1.0'];
  switch (rng.int(depth > 2 ? 6 : 8)) {
    case 0:
      return JSON.stringify(rng.pick(strings));
    case 1:
      return `'${rng.pick(strings).replace(/'/g, '')}'`;
    case 2:
      return String(rng.int(2) ? rng.int(1000) : -rng.next());
    case 3:
      return rng.pick(['true', 'false', 'inf', 'nan']);
    case 4:
      return rng.pick(['1979-05-27', '1979-05-27T07:32:00Z', '07:32:00']);
    case 5:
      return `"""${rng.pick(strings)}"""`;
    case 6:
      return `[${Array.from({ length: rng.int(4) }, () => tomlValue(rng, depth + 1)).join(', ')}]`;
    default: {
      const keys = ['version', 'git', 'path', 'url', 'extras', 'markers', 'optional', 'name', 'rev', 'tag', 'branch', 'python', 'sys_platform', 'editable'];
      const chosen = [...new Set(Array.from({ length: rng.int(4) }, () => rng.pick(keys)))];
      return `{ ${chosen.map((k) => `${k} = ${tomlValue(rng, depth + 1)}`).join(', ')} }`;
    }
  }
}

test('generated manifests with every TOML value type where a dependency belongs: no reader throws', async () => {
  await forEachCase(0x5eed03, fuzzCases(600), (rng) => {
    const items = Array.from({ length: rng.int(6) }, () => tomlValue(rng));
    const names = [...new Set(Array.from({ length: rng.int(6) }, () => rng.pick(['numpy', 'python', 'torch', '"x.y"', '"quoted name"', '"bad name!"'])))];
    const table = names.map((n) => `${n} = ${tomlValue(rng)}`).join('\n');
    const pyproject = `[project]\nname = "x"\nrequires-python = ${tomlValue(rng)}\ndependencies = [${items.join(', ')}]\n[tool.poetry.dependencies]\n${table}\n`;
    checkProblems(parsePyproject(pyproject, 'pyproject.toml').problems);
    checkProblems(parsePyproject(`[project]\ndependencies = ${tomlValue(rng)}\n`, 'pyproject.toml').problems);
    checkProblems(parsePipfile(`[packages]\n${table}\n[requires]\npython_version = ${tomlValue(rng)}\n`, 'Pipfile').problems);
  });
});

/** A random project of dependency files: mutated seeds that include each other, themselves, URLs and paths outside. */
function randomProject(rng: Rng): { entries: Record<string, string>; found: DependencyFiles } {
  const names = Array.from({ length: 1 + rng.int(12) }, (_, i) => (i === 0 ? 'requirements.txt' : rng.pick(['requirements', 'reqs', 'a/b']) + `/r${i}.txt`));
  const entries: Record<string, string> = {};
  for (const name of names) {
    const includes = Array.from({ length: rng.int(5) }, () => {
      const target = rng.pick([...names, '../outside.txt', 'missing.txt', 'https://example.com/r.txt', '/abs.txt']);
      return `${rng.pick(['-r', '-c', '--requirement', '--constraint='])} ${target}`;
    });
    entries[name] = [...includes, mutateText(rng.pick(SEEDS.requirements), rng)].join('\n');
  }
  entries['pyproject.toml'] = mutateText(SEEDS.pyproject[0]!, rng);
  entries['Pipfile'] = mutateText(SEEDS.pipfile[0]!, rng);
  entries['environment.yml'] = mutateText(SEEDS.conda[0]!, rng);
  entries['.python-version'] = rng.pick(['3.11\n', '3.8.10\n', 'pypy3.9\n', '\u0000', '']);
  return {
    entries,
    found: files({
      requirements: names.filter(() => rng.int(3) > 0),
      pyproject: ['pyproject.toml'],
      pipfile: ['Pipfile'],
      conda: ['environment.yml'],
      pythonVersion: ['.python-version'],
    }),
  };
}

test('random -r/-c graphs over mutated files: readDependencies never fails, reads each file once', async () => {
  await forEachCase(0x5eed02, fuzzCases(300), async (rng) => {
    const { entries, found } = randomProject(rng);
    const reader = new MemoryReader(entries);
    const result = await readDependencies(reader, found, DEFAULT_SETTINGS.detect);
    checkProblems(result.problems);
    assert.ok(!result.problems.some((p) => /Reading the dependency files failed|Could not read \S+ \(/.test(p.message)), 'a reader threw');
    for (const [path, bytes] of reader.bytesRead) assert.ok(bytes <= Buffer.byteLength(entries[path] ?? '', 'utf8'), `${path} read twice`);
    JSON.stringify(result);
  });
});

/** Runs the whole reader on one file of a kind. */
function readOne(name: string, kind: keyof DependencyFiles): (text: string) => Promise<unknown> {
  return (text) => readDependencies(new MemoryReader({ [name]: text }), files({ [kind]: [name] }), DEFAULT_SETTINGS.detect);
}

/** An ordinary requirements file of about `size` bytes. */
const benignRequirements = (size: number): string => 'numpy==1.26.4\nscikit-learn>=1.3,<1.5\n'.repeat(Math.ceil(size / 36)).slice(0, size);

const N = 16 * 1024;

test('requirements.txt lines that made regular expressions backtrack are read in linear time', async () => {
  const line = (make: (n: number) => string) => (size: number): string => make(size);
  const families: [string, (n: number) => string][] = [
    ['a run of blanks before a word (the comment pattern)', (n) => `numpy${' '.repeat(n)}x`],
    ['a run of blanks before "@"-less text (the direct-reference pattern)', (n) => `a${' '.repeat(n)}[x]${' '.repeat(8)}y`],
    ['a run of backslashes inside a continued line', (n) => `a${'\\'.repeat(n)}x\\`],
    ['a run of "[" in a path', (n) => `./p${'['.repeat(n)}`],
    ['a run of "/" inside a URL', (n) => `https://h/${'/'.repeat(n)}x.whl`],
    ['a long release tag that is not quite one', (n) => `x @ git+https://h/r@1${'.1'.repeat(n >> 1)}!`],
    ['a URL with "[" runs in its egg', (n) => `git+https://h/r#egg=x${'['.repeat(n)}`],
    ['deeply parenthesised marker', (n) => `x; ${'('.repeat(n >> 1)}os_name == "a"${')'.repeat(n >> 1)}`],
    ['a run of "#" after blanks', (n) => `numpy ${'# '.repeat(n >> 1)}`],
    ['a run of "-" options', (n) => `numpy ${'-'.repeat(n)}`],
    ['many quotes in an option', (n) => `--hash ${'"\''.repeat(n >> 1)}`],
  ];
  for (const [name, make] of families) {
    await assertLinear({ name, hostile: line(make), benign: benignRequirements, run: readOne('requirements.txt', 'requirements'), size: N / 2, maxRatio: 20, reps: 3 });
  }
});

test('pyproject, Poetry and Pipfile tables are read in linear time', async () => {
  const poetry = (size: number): string => {
    let text = '[tool.poetry.dependencies]\npython = "^3.10"\n';
    for (let i = 0; text.length < size; i++) text += `pkg${i} = "^1.${i % 10}"\n`;
    return text;
  };
  const pep621 = (size: number): string => {
    let text = '[project]\nname = "x"\ndependencies = [\n';
    for (let i = 0; text.length < size; i++) text += `  "pkg${i}>=1.${i % 10}",\n`;
    return text + ']\n';
  };
  const pipfile = (size: number): string => {
    let text = '[packages]\n';
    for (let i = 0; text.length < size; i++) text += `pkg${i} = "*"\n`;
    return text;
  };
  const nonStrings = (size: number): string => {
    let text = '[project]\nname = "x"\ndependencies = [\n';
    for (let i = 0; text.length < size; i++) text += `  ${i},\n`;
    return text + ']\n';
  };
  const escapedStrings = (size: number): string => {
    let text = '[project]\nname = "x"\ndependencies = [\n';
    for (let i = 0; text.length < size; i++) text += `  "pkg${i}\\u0041==1",\n`;
    return text + ']\n';
  };
  const quoteRun = (size: number): string => `[project]\nname = "x"\ndescription = "${'\\"'.repeat(size >> 1)}\n`;
  const pyproject = readOne('pyproject.toml', 'pyproject');
  await assertLinear({ name: 'Poetry dependencies', hostile: poetry, benign: pep621, run: pyproject, size: N, maxRatio: 10 });
  await assertLinear({ name: 'PEP 621 dependencies that are not strings', hostile: nonStrings, benign: pep621, run: pyproject, size: N, maxRatio: 10 });
  await assertLinear({ name: 'PEP 621 dependencies whose text has escapes', hostile: escapedStrings, benign: pep621, run: pyproject, size: N, maxRatio: 10 });
  await assertLinear({ name: 'a line of escaped quotes', hostile: quoteRun, benign: pep621, run: pyproject, size: N, maxRatio: 10 });
  const pinnedPipfile = (size: number): string => {
    let text = '[packages]\n';
    for (let i = 0; text.length < size; i++) text += `p${i} = "==1.0"\n`;
    return text;
  };
  await assertLinear({ name: 'Pipfile packages', hostile: pipfile, benign: pinnedPipfile, run: readOne('Pipfile', 'pipfile'), size: N, maxRatio: 10 });
});

test('environment.yml: deep nesting and long lists are read in linear time', async () => {
  const list = (size: number): string => {
    let text = 'name: x\ndependencies:\n';
    for (let i = 0; text.length < size; i++) text += `  - pkg${i}=1.${i % 10}\n`;
    return text;
  };
  const flow = (size: number): string => `dependencies:\n  - ${'['.repeat(size >> 1)}${']'.repeat(size >> 1)}\n`;
  const compact = (size: number): string => `dependencies:\n${'- '.repeat(size >> 1)}x\n`;
  const pip = (size: number): string => {
    let text = 'dependencies:\n  - pip:\n';
    for (let i = 0; text.length < size; i++) text += `      - pkg${i}==1.${i % 10}\n`;
    return text;
  };
  const run = readOne('environment.yml', 'conda');
  await assertLinear({ name: 'flow nesting', hostile: flow, benign: list, run, size: N / 2, maxRatio: 10 });
  await assertLinear({ name: 'compact sequence nesting', hostile: compact, benign: list, run, size: N / 2, maxRatio: 10 });
  await assertLinear({ name: 'a long pip list', hostile: pip, benign: list, run, size: N / 2, maxRatio: 10 });
});

test('a densely linked -r graph is read in time linear in its size', async () => {
  const graph = (size: number): Record<string, string> => {
    const count = Math.max(4, Math.round(size / 200));
    const out: Record<string, string> = {};
    for (let i = 0; i < count; i++) {
      out[`requirements/r${i}.txt`] = Array.from({ length: 12 }, (_, k) => `-r r${(i * 7 + k * 13 + 1) % count}.txt`).join('\n') + `\npkg${i}==1.0\n`;
    }
    return out;
  };
  const flat = (size: number): Record<string, string> => {
    const count = Math.max(4, Math.round(size / 200));
    const out: Record<string, string> = {};
    for (let i = 0; i < count; i++) out[`requirements/r${i}.txt`] = benignRequirements(200);
    return out;
  };
  const run = (entries: Record<string, string>): Promise<unknown> =>
    readDependencies(new MemoryReader(entries), files({ requirements: Object.keys(entries) }), DEFAULT_SETTINGS.detect);
  await assertLinear({ name: 'dense -r graph', hostile: graph, benign: flat, run, size: 16 * 1024, maxRatio: 10 });
});
