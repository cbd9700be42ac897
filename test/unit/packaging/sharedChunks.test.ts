// The bundles the .vsix ships share modules through dist/chunk-*.js (scripts/sharedChunks.mjs):
// the plan puts what two bundles carry in one chunk, real builds load each shared module once per
// process (through require and through the CLI's code-cache loader alike), and
// scripts/check-bundles.mjs finds a module shipped twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(__dirname, '../../..');

type Metafile = { inputs: Record<string, { imports: { path: string }[] }>; outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }> };
interface SharedChunks {
  planChunks(passes: { output: string; metafile: Metafile }[], outDir: string): { chunkOf: Map<string, string>; exportsOf: Map<string, Set<string>> };
  buildWithSharedChunks(builds: object[], chunkOptions: object, outDir: string): Promise<Metafile[]>;
  unitOf(input: string): string;
}
interface CheckBundles {
  duplicatedInputs(metafile: { outputs: Record<string, Record<string, number>> }, shipped: string[], limit?: number): { input: string }[];
  requiredChunks(source: string): string[];
}
const load = async <T>(script: string): Promise<T> => (await import(pathToFileURL(join(ROOT, 'scripts', script)).href)) as T;

/** A first-pass metafile: `files` maps each input to [its bytes, what it imports]. */
function metafile(output: string, entry: string, files: Record<string, [number, string[]]>): { output: string; metafile: Metafile } {
  return {
    output,
    metafile: {
      inputs: Object.fromEntries(Object.entries(files).map(([f, [, imports]]) => [f, { imports: imports.map((path) => ({ path })) }])),
      outputs: { [output]: { entryPoint: entry, inputs: Object.fromEntries(Object.entries(files).map(([f, [bytes]]) => [f, { bytesInOutput: bytes }])) } },
    },
  };
}

test('what two bundles carry goes in one chunk, by package or by source file; small groups join a group more bundles share', async () => {
  const { planChunks, unitOf } = await load<SharedChunks>('sharedChunks.mjs');
  assert.equal(unitOf('node_modules/@kubernetes/client-node/dist/api.js'), 'node_modules/@kubernetes/client-node');
  assert.equal(unitOf('node_modules/a/node_modules/b/index.js'), 'node_modules/a/node_modules/b');
  assert.equal(unitOf('src/core/errors.ts'), 'src/core/errors.ts');
  const yaml = 'node_modules/yaml/dist/index.js';
  const passes = [
    metafile('dist/lint.js', 'src/lint.ts', { 'src/lint.ts': [500, ['src/rules.ts', yaml]], 'src/rules.ts': [40_000, [yaml]], [yaml]: [100_000, ['node_modules/yaml/dist/doc.js']], 'node_modules/yaml/dist/doc.js': [9_000, []] }),
    metafile('dist/cli-lint.js', 'src/cli-lint.ts', { 'src/cli-lint.ts': [800, ['src/rules.ts', 'src/tiny.ts', 'src/small.ts']], 'src/rules.ts': [40_000, [yaml]], [yaml]: [100_000, ['node_modules/yaml/dist/doc.js']], 'node_modules/yaml/dist/doc.js': [9_000, []], 'src/tiny.ts': [300, []], 'src/small.ts': [3_000, []] }),
    metafile('dist/deploy.js', 'src/deploy.ts', { 'src/deploy.ts': [900, [yaml, 'src/small.ts']], [yaml]: [100_000, []], 'src/small.ts': [3_000, []] }),
  ];
  const { chunkOf, exportsOf } = planChunks(passes, 'dist');
  // yaml: all three bundles. rules.ts (40 KB): lint and cli-lint, a chunk of their own. small.ts (3 KB,
  // cli-lint and deploy) joins yaml's chunk, which both read anyway. tiny.ts is under 1 KB.
  assert.ok(chunkOf.get('node_modules/yaml'));
  assert.ok(chunkOf.get('src/rules.ts'));
  assert.notEqual(chunkOf.get('src/rules.ts'), chunkOf.get('node_modules/yaml'));
  assert.equal(chunkOf.get('src/small.ts'), chunkOf.get('node_modules/yaml'));
  assert.equal(chunkOf.has('src/tiny.ts'), false);
  assert.equal(chunkOf.has('src/lint.ts'), false);
  assert.deepEqual([...exportsOf.get(chunkOf.get('node_modules/yaml')!)!].sort(), [yaml, 'src/small.ts'], 'doc.js is imported from inside its package only');
  // rules.ts at 3 KB joins yaml's chunk too.
  const merged = planChunks([...passes.slice(0, 2).map((p) => ({ ...p, metafile: { ...p.metafile, outputs: Object.fromEntries(Object.entries(p.metafile.outputs).map(([o, v]) => [o, { ...v, inputs: { ...v.inputs, 'src/rules.ts': { bytesInOutput: 3_000 } } }])) } })), passes[2]!], 'dist');
  assert.equal(merged.chunkOf.get('src/rules.ts'), merged.chunkOf.get('node_modules/yaml'));
});

test('built with shared chunks, a module two bundles import runs once per process, under require and under the CLI\'s code-cache loader', async () => {
  const { buildWithSharedChunks } = await load<SharedChunks>('sharedChunks.mjs');
  const { duplicatedInputs, requiredChunks } = await load<CheckBundles>('check-bundles.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'modelship-chunks-'));
  mkdirSync(join(dir, 'src'));
  const padding = `export const TEXT = ${JSON.stringify('x'.repeat(4096))};\n`;
  // state.ts counts its evaluations; cycle.ts and state.ts import each other.
  writeFileSync(join(dir, 'src/state.ts'), `import { partner } from './cycle';\n${padding}(globalThis as any).evaluations = ((globalThis as any).evaluations ?? 0) + 1;\nexport const counter = { value: 0 };\nexport function bump(): number { return ++counter.value + partner().length * 0; }\n`);
  writeFileSync(join(dir, 'src/cycle.ts'), `import { TEXT } from './state';\n${padding.replace('TEXT', 'OTHER')}export function partner(): string { return TEXT; }\n`);
  writeFileSync(join(dir, 'src/a.ts'), `import { bump } from './state';\nexport const a = (): number => bump();\n`);
  writeFileSync(join(dir, 'src/b.ts'), `import { bump, counter } from './state';\nexport const b = (): number => bump();\nexport { counter };\n`);
  const cwd = process.cwd();
  process.chdir(dir);
  let metafiles: Metafile[];
  try {
    const common = { bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent' };
    metafiles = await buildWithSharedChunks(
      [{ ...common, entryPoints: ['src/a.ts'], outfile: 'dist/a.js' }, { ...common, entryPoints: ['src/b.ts'], outfile: 'dist/b.js' }],
      common,
      'dist',
    );
  } finally {
    process.chdir(cwd);
  }
  const chunks = readdirSync(join(dir, 'dist')).filter((f) => f.startsWith('chunk-'));
  assert.equal(chunks.length, 1, 'state.ts and cycle.ts: one chunk for a and b');
  assert.deepEqual(requiredChunks(readFileSync(join(dir, 'dist/a.js'), 'utf8')), chunks);
  const outputs: Record<string, Record<string, number>> = {};
  for (const m of metafiles) for (const [o, v] of Object.entries(m.outputs)) if (o.endsWith('.js')) outputs[o] = Object.fromEntries(Object.entries(v.inputs).map(([i, x]) => [i, x.bytesInOutput]));
  const shipped = Object.keys(outputs);
  assert.deepEqual(duplicatedInputs({ outputs }, shipped, 1024), [], 'nothing is in two outputs');
  // The same sources bundled whole into each output are found twice.
  const whole = { 'dist/a.js': outputs[`dist/${chunks[0]}`]!, 'dist/b.js': outputs[`dist/${chunks[0]}`]! };
  assert.deepEqual(duplicatedInputs({ outputs: whole }, Object.keys(whole), 1024).map((d) => d.input), ['src/state.ts']);

  // In a fresh Node: b.js through loadBundle's vm.Script path (the code cache of Node before 22.1), then
  // a.js through require: one evaluation of the shared module, one counter, and a code cache for both files.
  const probe = `
    const { loadBundle } = require(${JSON.stringify(join(ROOT, 'src/cli/loadBundle.ts'))});
    const Module = require('node:module');
    delete Module.enableCompileCache;
    const b = loadBundle(${JSON.stringify(join(dir, 'dist/b.js'))}, true);
    const a = require(${JSON.stringify(join(dir, 'dist/a.js'))});
    a.a(); b.b();
    process.stdout.write(JSON.stringify({ evaluations: globalThis.evaluations, counter: b.counter.value }));`;
  const cache = mkdtempSync(join(tmpdir(), 'modelship-chunks-cache-'));
  for (let run = 0; run < 2; run++) {
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', probe], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cache } });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { evaluations: 1, counter: 2 }, `run ${run + 1}`);
  }
  const cached = readdirSync(join(cache, 'modelship/v8'));
  assert.ok(cached.some((f) => f.startsWith('b.js-')) && cached.some((f) => f.startsWith('chunk-')), `the bundle and its chunk have a code cache: ${cached.join(', ')}`);
});
