// Runs every test/unit/**/*.test.ts with node's test runner (TypeScript through tsx).
// Prints node's own summary, and writes the totals to .test-results/unit.json for .ci/run.
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

const filter = process.argv.slice(2);
const files = findTests('test/unit').filter((f) => filter.length === 0 || filter.some((p) => f.includes(p))).sort();
mkdirSync('.test-results', { recursive: true });
const tapFile = '.test-results/unit.tap';
const result = spawnSync(process.execPath, [
  '--require', './scripts/registerTextLoader.cjs', '--import', 'tsx', '--test', '--test-concurrency=2',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
  ...files,
], { stdio: 'inherit' });
const tap = readFileSync(tapFile, 'utf8');
const count = (key) => Number((new RegExp(`^# ${key} (\\d+)`, 'm').exec(tap) ?? [])[1] ?? 0);
const totals = { suite: 'unit', passed: count('pass'), failed: count('fail'), skipped: count('skipped') + count('todo') };
writeFileSync('.test-results/unit.json', JSON.stringify(totals));
process.exit(result.status ?? 1);
