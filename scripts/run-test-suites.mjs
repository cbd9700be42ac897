// `npm test`: typecheck, lint, build, then the unit, integration and extension-host suites, in that
// order. A failing step does not stop the ones after it, except the build: the suites run dist/, so
// after a failed build they are recorded as not run, and say why. Each step's totals land in
// .test-results/<step>.json (the suites' runners write their own; a check counts as one test), and
// the run closes with scripts/summarize-results.mjs over every step: one line each, the failures'
// names, then "N passed, N failed". Exits 1 when any step failed or could not run.
//   node scripts/run-test-suites.mjs [STEP...]     only the named steps (same order)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** name, the npm script it runs, and whether it needs a successful build first. */
export const STEPS = [
  { name: 'typecheck', script: 'typecheck', check: true },
  { name: 'lint', script: 'lint', check: true },
  { name: 'build', script: 'build', check: true, buildsDist: true },
  { name: 'unit', script: 'test:unit', needsBuild: true },
  { name: 'integration', script: 'test:integration', needsBuild: true },
  { name: 'extension', script: 'test:extension', needsBuild: true },
];

/** The line most likely to say what went wrong: the first naming an error, else the last one printed. */
export function firstErrorLine(output) {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /\berror\b/i.test(l)) ?? lines.at(-1) ?? '';
}

/** Runs `command`, passing its output through, and resolves its exit code and the last 64 KB it printed. */
function runPassingThrough(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['inherit', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (stream, out) => stream.on('data', (chunk) => {
      out.write(chunk);
      tail = (tail + chunk.toString()).slice(-65536);
    });
    keep(child.stdout, process.stdout);
    keep(child.stderr, process.stderr);
    child.on('error', (error) => resolve({ code: 127, output: `${tail}\nerror: ${error.message}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output: tail }));
  });
}

const npmRun = (script) => ({ command: 'npm', args: ['run', '--silent', script] });

/**
 * Runs `steps` in order and writes the checks' results (and the not-run suites') to `resultsDir`;
 * resolves the steps' names and whether any exited non-zero. `run` is replaceable for tests.
 */
export async function runSteps(steps, { resultsDir = '.test-results', run = (step) => { const c = npmRun(step.script); return runPassingThrough(c.command, c.args, {}); }, log = console.log } = {}) {
  mkdirSync(resultsDir, { recursive: true });
  const write = (name, result) => writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify({ suite: name, ...result }));
  let buildFailed = false;
  let anyFailed = false;
  for (const step of steps) {
    // A result left by an earlier run must not stand in for a step that crashes before writing its own.
    rmSync(join(resultsDir, `${step.name}.json`), { force: true });
    if (step.needsBuild && buildFailed) {
      log(`\n== ${step.name}: not run, because the build failed (the suite runs dist/)`);
      write(step.name, { passed: 0, failed: 1, reason: 'not run: the build failed, and the suite runs dist/' });
      anyFailed = true;
      continue;
    }
    log(`\n== ${step.name}`);
    const { code, output } = await run(step);
    if (step.check) {
      write(step.name, code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1, failures: [`exit ${code}: ${firstErrorLine(output).slice(0, 300)}`] });
    }
    if (code !== 0) anyFailed = true;
    if (step.buildsDist && code !== 0) buildFailed = true;
  }
  return { names: steps.map((s) => s.name), anyFailed };
}

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !STEPS.some((s) => s.name === w));
  if (unknown.length) {
    console.error(`run-test-suites: no step ${unknown.join(', ')}; the steps are ${STEPS.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  const steps = wanted.length ? STEPS.filter((s) => wanted.includes(s.name)) : STEPS;
  const { names, anyFailed } = await runSteps(steps);
  console.log('');
  const summary = spawnSync(process.execPath, [fileURLToPath(new URL('./summarize-results.mjs', import.meta.url)), ...names], { stdio: 'inherit' });
  // A runner that exited non-zero fails the run even if its results file counted no failure.
  process.exit(summary.status === 0 && !anyFailed ? 0 : 1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
