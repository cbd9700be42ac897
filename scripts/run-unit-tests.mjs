// Runs every <dir>/**/*.test.ts with node's test runner (TypeScript through tsx): test/unit by
// default, `--suite integration` for test/integration (the real Docker engine and servers).
// Prints node's own summary, and writes the totals to .test-results/<suite>.json for .ci/run.
import { spawnSync } from 'node:child_process';
import { readdirSync, mkdirSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const suiteAt = args.indexOf('--suite');
const suite = suiteAt >= 0 ? args.splice(suiteAt, 2)[1] : 'unit';
const filter = args;
const files = findTests(`test/${suite}`).filter((f) => filter.length === 0 || filter.some((p) => f.includes(p))).sort();
mkdirSync('.test-results', { recursive: true });
const tapFile = `.test-results/${suite}.tap`;
const result = spawnSync(process.execPath, [
  '--require', './scripts/registerTextLoader.cjs', '--import', 'tsx', '--test', `--test-concurrency=${suite === 'integration' ? 1 : 2}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
  ...files,
], { stdio: 'inherit' });
const tap = readFileSync(tapFile, 'utf8');
const count = (key) => Number((new RegExp(`^# ${key} (\\d+)`, 'm').exec(tap) ?? [])[1] ?? 0);
// "not ok N - title" lines of the tap file, innermost first: the failing tests' names.
const failures = [...tap.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1].trim()).filter((t) => !t.endsWith('.test.ts'));
const totals = { suite, passed: count('pass'), failed: count('fail') + count('cancelled'), skipped: count('skipped') + count('todo'), failures };
writeFileSync(`.test-results/${suite}.json`, JSON.stringify(totals));
process.exit(result.status ?? 1);
