// Builds a set of CommonJS bundles so that no package and no source file of any size is in two of
// them: what two or more bundles use goes into a shared chunk (dist/chunk-<hash>.js, one per set of
// bundles that use it, as esbuild's own code splitting does for ESM), which they require at run
// time. esbuild splits only ESM output, and the extension host and `node dist/cli.js` load CommonJS
// synchronously, hence this: a first pass finds which bundle uses what (metafiles), a second builds
// the bundles with those modules replaced by a lookup in their chunk, and the chunks themselves.
//
// A chunk exports each module through a getter, so a module still runs on first use (as in one
// bundle) and once per process, whichever bundle asks first.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';

/** Units smaller than this stay in each bundle that uses them: a chunk costs a file read. */
export const MIN_SHARED_BYTES = 1024;
/** Groups smaller than this are merged into a group that more bundles share (fewer files to read). */
export const MERGE_BELOW_BYTES = 32 * 1024;
const CHUNK_NAMESPACE = 'modelship-shared';
const CHUNK_FILE = /^\.\/chunk-[0-9a-f]{8}\.js$/;

/** The unit an input belongs to: its package folder under node_modules, else the file itself. */
export function unitOf(input) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match ? match[1] : input;
}

const toInput = (file) => relative(process.cwd(), file).split(sep).join('/');

/** The one JavaScript output of a build with one entry point. */
export function outputOf(options) {
  if (options.outfile) return options.outfile;
  const names = Object.keys(options.entryPoints);
  if (names.length !== 1) throw new Error('sharedChunks: one entry point per build');
  return `${options.outdir}/${names[0]}.js`;
}

/**
 * Which shared units go in which chunk, from the first pass's metafiles: a unit that two or more
 * bundles carry (MIN_SHARED_BYTES or more), grouped by the set of bundles that carry it.
 */
export function planChunks(passes, outDir) {
  const carriers = new Map();
  const sizes = new Map();
  for (const { output, metafile } of passes) {
    const [, meta] = Object.entries(metafile.outputs).find(([file]) => file.endsWith('.js'));
    const perUnit = new Map();
    for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) {
      if (bytesInOutput > 0) perUnit.set(unitOf(input), (perUnit.get(unitOf(input)) ?? 0) + bytesInOutput);
    }
    for (const [unit, bytes] of perUnit) {
      if (!carriers.has(unit)) carriers.set(unit, new Set());
      carriers.get(unit).add(output);
      sizes.set(unit, Math.max(sizes.get(unit) ?? 0, bytes));
    }
  }
  // Group by the set of bundles that carry the unit.
  const groups = new Map();
  for (const [unit, outputs] of carriers) {
    if (outputs.size < 2 || sizes.get(unit) < MIN_SHARED_BYTES) continue;
    const key = [...outputs].sort().join('\n');
    if (!groups.has(key)) groups.set(key, { carriers: outputs, units: [], bytes: 0 });
    groups.get(key).units.push(unit);
    groups.get(key).bytes += sizes.get(unit);
  }
  // A small group joins the group of the fewest bundles that all carry it too: those bundles read
  // its few KB without using them, and no bundle reads one more file.
  for (const [key, group] of [...groups].sort((a, b) => a[1].bytes - b[1].bytes)) {
    if (group.bytes >= MERGE_BELOW_BYTES) continue;
    const supersets = [...groups].filter(([other, g]) => other !== key && g.carriers.size > group.carriers.size && [...group.carriers].every((c) => g.carriers.has(c)));
    if (supersets.length === 0) continue;
    const [, into] = supersets.sort((a, b) => a[1].carriers.size - b[1].carriers.size || b[1].bytes - a[1].bytes)[0];
    into.units.push(...group.units);
    into.bytes += group.bytes;
    groups.delete(key);
  }
  const chunkOf = new Map();
  for (const [key, group] of groups) {
    const chunk = `${outDir}/chunk-${createHash('sha256').update(key).digest('hex').slice(0, 8)}.js`;
    for (const unit of group.units) chunkOf.set(unit, chunk);
  }
  // What each chunk exports: every file of it that a file of another unit imports.
  const exportsOf = new Map();
  const exportFrom = (chunk, file) => {
    if (!exportsOf.has(chunk)) exportsOf.set(chunk, new Set());
    exportsOf.get(chunk).add(file);
  };
  for (const { metafile } of passes) {
    // A bundle whose entry is shared (cli-lint uses cli-containerize's entry) becomes a lookup in the chunk.
    const { entryPoint } = Object.values(metafile.outputs).find((o) => o.entryPoint) ?? {};
    if (entryPoint && chunkOf.has(unitOf(entryPoint))) exportFrom(chunkOf.get(unitOf(entryPoint)), entryPoint);
    for (const [importer, { imports }] of Object.entries(metafile.inputs)) {
      for (const { path: target } of imports) {
        const chunk = chunkOf.get(unitOf(target));
        if (chunk && unitOf(target) !== unitOf(importer)) exportFrom(chunk, target);
      }
    }
  }
  return { chunkOf, exportsOf };
}

/** Replaces imports of another chunk's modules with a lookup in that chunk (`self`: the chunk being built, if any). */
function sharedImports({ chunkOf, exportsOf }, self) {
  return {
    name: 'shared-chunks',
    setup(build) {
      build.onResolve({ filter: CHUNK_FILE, namespace: CHUNK_NAMESPACE }, (args) => ({ path: args.path, external: true }));
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.sharedChunksResolving || args.namespace === CHUNK_NAMESPACE) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { sharedChunksResolving: true } });
        if (resolved.errors.length > 0 || resolved.external || resolved.namespace !== 'file') return undefined;
        const input = toInput(resolved.path);
        const chunk = chunkOf.get(unitOf(input));
        if (!chunk || chunk === self) return undefined;
        if (!exportsOf.get(chunk)?.has(input)) return { errors: [{ text: `sharedChunks: ${input} is not exported by ${chunk} (imported from ${args.importer})` }] };
        return { path: input, namespace: CHUNK_NAMESPACE, pluginData: { chunk }, sideEffects: resolved.sideEffects };
      });
      build.onLoad({ filter: /.*/, namespace: CHUNK_NAMESPACE }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(`./${args.pluginData.chunk.split('/').pop()}`)})[${JSON.stringify(args.path)}];`,
        loader: 'js',
        resolveDir: process.cwd(),
      }));
    },
  };
}

/**
 * Builds `builds` (one entry point each, all into `outDir`) with shared chunks; `chunkOptions` are the
 * esbuild options of the chunks (externals and plugins that any of the builds needs). Returns the
 * metafiles of every output.
 */
export async function buildWithSharedChunks(builds, chunkOptions, outDir) {
  // esbuild's default working folder is the one it started in; inputs are named relative to this one.
  builds = builds.map((options) => ({ absWorkingDir: process.cwd(), ...options }));
  chunkOptions = { absWorkingDir: process.cwd(), ...chunkOptions };
  const passes = await Promise.all(
    builds.map(async (options) => {
      const { metafile } = await esbuild.build({ ...options, write: false, metafile: true, minify: false, sourcemap: false });
      return { output: outputOf(options), metafile };
    }),
  );
  const plan = planChunks(passes, outDir);
  const chunks = [...plan.exportsOf].map(([chunk, files]) => ({
    ...chunkOptions,
    stdin: {
      // Getters keep each module lazy, as it is in a single bundle.
      contents: [...files].sort().map((file) => `Object.defineProperty(exports, ${JSON.stringify(file)}, { enumerable: true, get: () => require(${JSON.stringify(`./${file}`)}) });`).join('\n'),
      resolveDir: process.cwd(),
      sourcefile: `${chunk.split('/').pop()} (shared modules)`,
      loader: 'js',
    },
    outfile: chunk,
    metafile: true,
    plugins: [...(chunkOptions.plugins ?? []), sharedImports(plan, chunk)],
  }));
  const results = await Promise.all([
    ...builds.map((options) => esbuild.build({ ...options, metafile: true, plugins: [...(options.plugins ?? []), sharedImports(plan, undefined)] })),
    ...chunks.map((options) => esbuild.build(options)),
  ]);
  return results.map((r) => r.metafile);
}
