// Totals every suite's results (.test-results/<suite>.json, written by each runner) into the one
// closing line CI reads: "N passed, N failed". A suite that was expected but wrote nothing counts
// as one failure, so a runner that crashed early cannot pass silently.
import { existsSync, readFileSync } from 'node:fs';

const expected = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
for (const suite of expected) {
  const file = `.test-results/${suite}.json`;
  if (!existsSync(file)) {
    console.log(`${suite}: no results (the suite did not finish)`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  console.log(`${suite}: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`);
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped ?? 0;
  for (const f of r.failures ?? []) failures.push(`${suite}: ${f}`);
  if (r.failed > 0 && !(r.failures ?? []).length && r.reason) failures.push(`${suite}: ${r.reason}`);
}
// Named just above the total, because CI keeps only the closing lines.
for (const f of failures.slice(0, 20)) console.log(`  failed: ${f}`);
if (failures.length > 20) console.log(`  … and ${failures.length - 20} more`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
