// Dockerfile lint: one 100-line Dockerfile (test/fixtures/lint/dockerfile/bench-100.Dockerfile)
// linted with every rule and the syntax check, against dockerfile-utils' validate alone on the same
// text, in the same process. The linter is bundled with esbuild exactly as the CLI and extension
// bundle it. Contenders run round-robin in batches (so drift in machine load hits all alike); the
// result per contender is the median over batches of the time per file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { commit, median } from './common.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 150);
const BATCH = Number(process.env.BENCH_BATCH ?? 20);
const FIXTURE = resolve('test/fixtures/lint/dockerfile/bench-100.Dockerfile');

/** The linter as the bundles ship it, plus the hook telling whether validate reused our parse. */
async function loadLinter() {
  const dir = mkdtempSync(join(tmpdir(), 'ms-bench-lint-'));
  const entry = join(dir, 'entry.ts');
  const src = resolve('src/core/lint/dockerfile');
  writeFileSync(entry, `export { lintDockerfile } from ${JSON.stringify(join(src, 'index.ts'))};\nexport { lastParseWasShared } from ${JSON.stringify(join(src, 'syntax.ts'))};\nexport { validate } from 'dockerfile-utils';\nexport { DockerfileParser } from 'dockerfile-ast';\n`);
  const outfile = join(dir, 'lint.js');
  await esbuild.build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node18', minify: true, logLevel: 'warning', nodePaths: [resolve('node_modules')] });
  const mod = createRequire(import.meta.url)(outfile);
  rmSync(dir, { recursive: true, force: true });
  return mod;
}

/** What the editor passes for a typical project: .dockerignore, detection, and the context listing. */
function context(settings) {
  const files = ['requirements.txt', 'constraints.txt', 'app/__init__.py', 'app/main.py', 'config/app.yaml', 'tools/compile_assets.py', 'model.joblib'];
  return {
    file: 'Dockerfile',
    settings,
    dockerignore: '.git\n**/__pycache__\n.venv\ndata\n**/*.pt\n',
    contextFiles: files.map((path, i) => ({ path, bytes: 1000 * (i + 1) })),
    project: {
      root: '/bench',
      models: [{ path: 'model.joblib', format: 'joblib', framework: 'sklearn', bytes: 1518, evidence: 'bench' }],
      requirements: {
        files: [{ path: 'requirements.txt', kind: 'requirements.txt' }],
        packages: ['scikit-learn==1.5.2', 'numpy==1.26.4', 'fastapi==0.115.0'].map((line, i) => {
          const [name, version] = line.split('==');
          return { name, normalizedName: name, specifier: `==${version}`, pinned: true, extras: [], source: 'requirements.txt', line: i + 1 };
        }),
        options: [],
        conda: [],
      },
      python: { version: '3.11', source: '.python-version' },
      problems: [],
    },
  };
}

export async function benchLintDockerfile() {
  const lib = await loadLinter();
  const text = readFileSync(FIXTURE, 'utf8');
  const all = context({ rules: {}, kubernetesVersion: '1.32' });
  const rulesOnly = context({ rules: { 'MS-DF000': 'off' }, kubernetesVersion: '1.32' });
  const contenders = {
    validate: () => lib.validate(text),
    parse: () => lib.DockerfileParser.parse(text),
    lint: () => lib.lintDockerfile(text, all),
    lintWithoutSyntax: () => lib.lintDockerfile(text, rulesOnly),
  };
  const findings = lib.lintDockerfile(text, all);
  const shared = lib.lastParseWasShared();
  const names = Object.keys(contenders);
  for (const name of names) for (let i = 0; i < 300; i++) contenders[name]();
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      const f = contenders[name];
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < BATCH; i++) f();
      samples[name].push(Number(process.hrtime.bigint() - t0) / 1e6 / BATCH);
    }
  }
  const ms = Object.fromEntries(names.map((n) => [n, median(samples[n])]));
  return {
    machine: `${cpus().length}x ${cpus()[0]?.model ?? '?'}`,
    node: process.version,
    commit: commit(),
    file: { lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), bytes: Buffer.byteLength(text) },
    findings: findings.length,
    findingsByRule: findings.reduce((acc, f) => ({ ...acc, [f.ruleId]: (acc[f.ruleId] ?? 0) + 1 }), {}),
    parseShared: shared,
    validateMs: ms.validate,
    parseMs: ms.parse,
    lintMs: ms.lint,
    lintWithoutSyntaxMs: ms.lintWithoutSyntax,
    /** What a second, separate parse inside validate would have added. */
    estimatedUnsharedLintMs: ms.lint + ms.parse,
    ratioLintToValidate: ms.lint / ms.validate,
    targetMs: 2,
  };
}

export function printLintDockerfile(r) {
  console.log(`lint of a ${r.file.lines}-line Dockerfile (syntax and every rule; ${r.findings} findings), per file`);
  console.log(`  dockerfile-utils validate alone: ${r.validateMs.toFixed(3)} ms; dockerfile-ast parse alone: ${r.parseMs.toFixed(3)} ms`);
  console.log(`  lintDockerfile: ${r.lintMs.toFixed(3)} ms (target <= ${r.targetMs} ms); without the syntax check: ${r.lintWithoutSyntaxMs.toFixed(3)} ms`);
  console.log(`  ratio lint / validate alone: ${r.ratioLintToValidate.toFixed(2)}x; parse shared with validate: ${r.parseShared ? 'yes' : 'NO'} (unshared it would be ~${r.estimatedUnsharedLintMs.toFixed(3)} ms)`);
  console.log(`  machine: ${r.machine}, node ${r.node}, commit ${r.commit}`);
}

if (import.meta.url === `file://${process.argv[1]}`) printLintDockerfile(await benchLintDockerfile());
