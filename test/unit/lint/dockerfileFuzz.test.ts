// Fuzzing with fast-check: arbitrary strings, Dockerfile-shaped token soup, and mutated real
// Dockerfiles (every fixture and the clean baseline), with random .dockerignore text, context
// listings and projects. Every check runs with `rethrow`, so an exception inside any rule fails the
// property instead of being swallowed; every range and fix must be well formed, and applying a fix
// must give text that lints again without throwing. No timing asserts: the run count bounds the time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyzeDockerfile, lintDockerfile, type DockerfileLintContext } from '../../../src/core/lint/dockerfile';
import { DEFAULT_LINT_SETTINGS, type Finding, type Range } from '../../../src/core/lint/types';
import { applyEdits, contextOf, FIXTURES, readContext } from './dockerfile.support';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);

const REAL: string[] = [
  readFileSync(join(FIXTURES, 'clean.Dockerfile'), 'utf8'),
  ...readdirSync(FIXTURES).filter((d) => d.startsWith('MS-DF')).flatMap((d) => ['bad', 'good'].map((n) => readFileSync(join(FIXTURES, d, `${n}.Dockerfile`), 'utf8'))),
];

const TOKENS = [
  'FROM', 'RUN', 'CMD', 'ENTRYPOINT', 'COPY', 'ADD', 'ENV', 'ARG', 'USER', 'WORKDIR', 'SHELL', 'HEALTHCHECK', 'EXPOSE', 'VOLUME', 'ONBUILD', 'LABEL',
  'python', 'python:latest', 'nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04', 'nvidia/cuda:11.8.0-cudnn-devel-ubuntu20.04', 'AS', 'builder', '--from=builder',
  'pip', 'install', 'pip3', '-m', 'uv', 'apt-get', 'update', '-y', '-r', 'requirements.txt', '--index-url', 'https://download.pytorch.org/whl/cpu',
  'torch==2.3.1+cpu', 'tensorflow==2.15.0', 'tensorflow[and-cuda]', 'rm', '-rf', '/var/lib/apt/lists/*', 'set', '-o', 'pipefail', 'exec',
  'HF_TOKEN=x', 'MODEL_PATH=/models/m.pt', '.', './', '*', 'model.pt', '/models/', 'root', '0:0', '$X', '${X:-y}', '$(date)', '`id`',
  '[', ']', '["a",', '"b"]', '"', "'", '\\', '\\\n', '\n', '\r\n', ' ', '\t', '|', '||', '&&', ';', '&', '>', '2>&1', '<<EOF', 'EOF', '#', '# escape=`', '`',
  'modelship-ignore', 'MS-DF001', '=', '--mount=type=cache,target=/root/.cache/pip', '--checksum=sha256:00', 'https://x/y', '\u0000', '\u2028', '🐳',
];

const soup = fc.tuple(fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }), fc.constantFrom(' ', '\n', '')).map(([parts, glue]) => parts.join(glue));

const mutation = fc.record({
  base: fc.constantFrom(...REAL),
  edits: fc.array(fc.record({ at: fc.nat(), length: fc.nat({ max: 40 }), insert: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 12 })) }), { minLength: 1, maxLength: 6 }),
}).map(({ base, edits }) => edits.reduce((text, e) => {
  const at = e.at % (text.length + 1);
  return text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + e.length));
}, base));

const lineMutation = fc.record({ base: fc.constantFrom(...REAL), seed: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }) }).map(({ base, seed }) => {
  const lines = base.split('\n');
  for (const n of seed) {
    const i = n % lines.length;
    const j = (n >> 3) % lines.length;
    if (n % 3 === 0) lines.splice(i, 1);
    else if (n % 3 === 1) lines.splice(j, 0, lines[i]!);
    else [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }
  return lines.join('\n');
});

const context: fc.Arbitrary<DockerfileLintContext> = fc.record({
  which: fc.constantFrom(...readdirSync(FIXTURES).filter((d) => d.startsWith('MS-DF'))),
  file: fc.constantFrom('Dockerfile', 'docker/Dockerfile', 'a/b/c.Dockerfile', '../Dockerfile', ''),
  dockerignore: fc.option(fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('[', '!', '**', '\\', '!**/*.pt\n**', 'data\n!data/keep'))),
  files: fc.array(fc.record({ path: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('model.pt', 'data/x.csv', 'docker/model.pt', './a', '/abs', '..', '')), bytes: fc.nat() }), { maxLength: 8 }),
}).map(({ which, file, dockerignore, files }) => {
  const ctx = contextOf(readContext(which));
  ctx.file = file;
  if (dockerignore !== null) ctx.dockerignore = dockerignore;
  ctx.contextFiles = [...(ctx.contextFiles ?? []), ...files];
  return ctx;
});

function checkRange(range: Range, lines: number, label: string): void {
  for (const p of [range.start, range.end]) {
    assert.ok(Number.isInteger(p.line) && p.line >= 0 && p.line < lines, `${label}: line ${p.line} of ${lines}`);
    assert.ok(Number.isInteger(p.character) && p.character >= 0, `${label}: character ${p.character}`);
  }
  assert.ok(range.start.line < range.end.line || (range.start.line === range.end.line && range.start.character <= range.end.character), `${label}: reversed range`);
}

function checkFindings(text: string, findings: Finding[], ctx: DockerfileLintContext): void {
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const f of findings) {
    assert.ok(f.ruleId.startsWith('MS-DF') && f.message.length > 0);
    checkRange(f.range, lines, f.ruleId);
    for (const fix of f.fixes ?? []) {
      for (const e of fix.edits) checkRange(e.range, lines, `${f.ruleId} fix`);
      if (!text.includes('\r')) analyzeDockerfile(applyEdits(text, fix.edits), ctx, { rethrow: true });
    }
  }
}

function property(text: string, ctx: DockerfileLintContext): void {
  const findings = analyzeDockerfile(text, ctx, { rethrow: true });
  checkFindings(text, findings, ctx);
  assert.ok(Array.isArray(lintDockerfile(text, ctx)));
}

const plain: DockerfileLintContext = { file: 'Dockerfile', settings: DEFAULT_LINT_SETTINGS };

test('fuzz: arbitrary strings (full Unicode, lone surrogates, control characters)', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => property(text, plain)), { numRuns: RUNS });
});

test('fuzz: Dockerfile-shaped token soup, with and without a workspace context', () => {
  fc.assert(fc.property(soup, context, (text, ctx) => {
    property(text, plain);
    property(text, ctx);
  }), { numRuns: RUNS });
});

test('fuzz: stage names, the argument dockerfile-utils checks with a backtracking regular expression', () => {
  const name = fc.string({ unit: fc.constantFrom('a', 'b', '0', '_', '-', '.', '=', '!', 'A', ' '), minLength: 20, maxLength: 80 });
  fc.assert(fc.property(name, (stage) => property(`FROM python:3.11-slim AS ${stage}\nCMD ["python"]\n`, plain)), { numRuns: 200 });
});

test('fuzz: long inputs (tens of kilobytes of Dockerfile-shaped text)', () => {
  const long = fc.array(fc.constantFrom(...TOKENS), { minLength: 2000, maxLength: 8000 }).map((parts) => parts.join(' '));
  fc.assert(fc.property(long, (text) => property(text, plain)), { numRuns: 20 });
});

test('fuzz: real Dockerfiles with random edits and shuffled lines', () => {
  fc.assert(fc.property(fc.oneof(mutation, lineMutation), context, (text, ctx) => property(text, ctx)), { numRuns: RUNS });
});
