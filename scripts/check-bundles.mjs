// Checks what the .vsix ships (`vsce ls`, or the entries of a built .vsix with --vsix FILE) against
// the build's metafile (dist/metafile.json, written by scripts/build.mjs):
// - no source file or package module is shipped twice: none has more than DUPLICATE_LIMIT bytes in
//   a second shipped bundle (a small copy in extension.js, kept whole for activation, is allowed);
// - every chunk a shipped bundle requires is shipped too.
// Exit 1 with the offenders listed; prints the shipped JavaScript's size.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const DUPLICATE_LIMIT = 2 * 1024;

/** Inputs that more than one of `shipped` carries, with the bytes in each; only those over `limit` in a second one. */
export function duplicatedInputs(metafile, shipped, limit = DUPLICATE_LIMIT) {
  const carriers = new Map();
  for (const output of shipped) {
    for (const [input, bytes] of Object.entries(metafile.outputs[output] ?? {})) {
      if (bytes === 0) continue;
      if (!carriers.has(input)) carriers.set(input, {});
      carriers.get(input)[output] = bytes;
    }
  }
  const found = [];
  for (const [input, byOutput] of carriers) {
    const sizes = Object.values(byOutput).sort((a, b) => b - a);
    if (sizes.length > 1 && sizes[1] > limit) found.push({ input, byOutput });
  }
  return found;
}

/** Chunks that `source` (a bundle's text) requires. */
export function requiredChunks(source) {
  return [...source.matchAll(/require\("\.\/(chunk-[0-9a-f]{8}\.js)"\)/g)].map((m) => m[1]);
}

function shippedFiles(vsix) {
  if (vsix) {
    return execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n').filter((f) => f.startsWith('extension/')).map((f) => f.slice('extension/'.length));
  }
  const vsce = join('node_modules', '.bin', 'vsce');
  return execFileSync(vsce, ['ls', '--no-dependencies'], { encoding: 'utf8' }).split('\n').map((f) => f.trim()).filter(Boolean);
}

function main() {
  const vsixAt = process.argv.indexOf('--vsix');
  const vsix = vsixAt > 0 ? process.argv[vsixAt + 1] : undefined;
  if (!existsSync('dist/metafile.json')) {
    console.error('check-bundles: dist/metafile.json is missing; run `npm run build` first.');
    return 2;
  }
  const metafile = JSON.parse(readFileSync('dist/metafile.json', 'utf8'));
  const shipped = shippedFiles(vsix).filter((f) => f.startsWith('dist/') && f.endsWith('.js') && !f.startsWith('dist/media/'));
  const problems = [];
  for (const { input, byOutput } of duplicatedInputs(metafile, shipped)) {
    problems.push(`${input} is shipped twice: ${Object.entries(byOutput).map(([o, b]) => `${o} (${b} bytes)`).join(', ')}`);
  }
  for (const output of shipped) {
    for (const chunk of requiredChunks(readFileSync(output, 'utf8'))) {
      if (!shipped.includes(`dist/${chunk}`)) problems.push(`${output} requires dist/${chunk}, which is not shipped (see .vscodeignore)`);
    }
    if (!metafile.outputs[output]) problems.push(`${output} is shipped but not in dist/metafile.json: is it left over from an older build?`);
  }
  const bytes = shipped.reduce((sum, f) => sum + statSync(f).size, 0);
  console.log(`check-bundles: ${shipped.length} bundles shipped (dist/*.js), ${(bytes / 1024 / 1024).toFixed(2)} MB; no module in two of them over ${DUPLICATE_LIMIT} bytes: ${problems.length === 0 ? 'yes' : 'NO'}`);
  for (const p of problems) console.error(`  ${p}`);
  return problems.length === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main();
