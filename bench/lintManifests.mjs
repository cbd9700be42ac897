// Manifest lint throughput against plain YAML parsing of the same documents, in the same process
// (one core: Node runs the lint on one thread). The linter is bundled with esbuild as the CLI and
// the extension bundle it, and the baseline uses that bundle's own `yaml`, so both run the same
// parser code. Rounds alternate between the contenders and are timed in CPU time of this process
// (user + system), so that other load on the machine distorts them less than wall time would;
// throughput is reported for the median round and for the best (least disturbed) one.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { commit, median } from './common.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 41);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 100);
const TARGET_DOCS_PER_SEC = 2500;
const FIXTURES = resolve('test/fixtures/lint/kubernetes');

/** The linter and its `yaml`, bundled as the shipped code is (CommonJS, minified). */
async function loadBundle() {
  const dir = mkdtempSync(join(tmpdir(), 'modelship-bench-lint-'));
  const outfile = join(dir, 'lint.cjs');
  await esbuild.build({
    stdin: {
      contents: "export * from './src/core/lint/kubernetes/index.ts'; export { loadYaml } from './src/core/lazyLibraries.ts';",
      resolveDir: resolve('.'),
      sourcefile: 'bench-entry.ts',
      loader: 'ts',
    },
    bundle: true, platform: 'node', format: 'cjs', target: 'node18', minify: process.env.BENCH_MINIFY !== '0', outfile, logLevel: 'error',
  });
  const bundle = createRequire(import.meta.url)(outfile);
  return { bundle, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** CPU time of this process, in milliseconds. */
function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Runs each contender for ROUND_MS of CPU time per round, alternating; calls per CPU second (median and best round). */
function race(contenders) {
  const rates = contenders.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    contenders.forEach((fn, k) => {
      let calls = 0;
      const started = cpuMs();
      let elapsed = 0;
      while (elapsed < ROUND_MS) {
        fn();
        calls++;
        elapsed = cpuMs() - started;
      }
      rates[k].push((calls * 1000) / elapsed);
    });
  }
  return rates.map((r) => ({ median: median(r), best: Math.max(...r), rounds: r }));
}

function corpus(name, texts, yaml) {
  const documents = texts.reduce((n, t) => n + yaml.parseAllDocuments(t).filter((d) => d.contents !== null).length, 0);
  return { name, texts, documents };
}

export async function benchLintManifests() {
  const { bundle, cleanup } = await loadBundle();
  try {
    const yaml = bundle.loadYaml();
    const preparedAt = performance.now();
    await bundle.prepareManifestLinter();
    const prepareMs = performance.now() - preparedAt;

    const clean = readFileSync(join(FIXTURES, 'clean.yaml'), 'utf8');
    const [configMap, deployment, service] = clean.split(/^---\n/m);
    const ruleDirs = readdirSync(join(FIXTURES, 'rules'));
    const corpora = [
      corpus('Deployment + Service (one file)', [`${deployment}---\n${service}`], yaml),
      corpus('a clean service stream (ConfigMap, Deployment, Service, HPA, PDB)', [clean], yaml),
      corpus(`the rule fixtures (${ruleDirs.length * 2} files, most with findings and fixes)`, ruleDirs.flatMap((d) => ['triggers', 'clean'].map((n) => readFileSync(join(FIXTURES, 'rules', d, `${n}.yaml`), 'utf8'))), yaml),
    ];
    void configMap;
    const settings = { rules: {}, kubernetesVersion: '1.32' };
    const results = corpora.map((c) => {
      const parse = () => { for (const t of c.texts) yaml.parseAllDocuments(t); };
      const lint = () => {
        for (const t of c.texts) {
          const findings = bundle.lintManifests(t, { file: 'deploy/app.yaml', settings });
          if (!Array.isArray(findings)) throw new Error('the prepared linter must answer synchronously');
        }
      };
      const [parseRate, lintRate] = race([parse, lint]);
      return {
        corpus: c.name,
        files: c.texts.length,
        documents: c.documents,
        parseDocsPerSec: parseRate.median * c.documents,
        lintDocsPerSec: lintRate.median * c.documents,
        // Per-round ratios pair each lint round with the parse round next to it, so drift in the
        // machine's load cancels out; their median is the figure to compare across runs.
        ratioLintToParse: median(parseRate.rounds.map((p, i) => p / lintRate.rounds[i])),
        lintMsPerFile: 1000 / lintRate.median / c.texts.length,
        best: {
          parseDocsPerSec: parseRate.best * c.documents,
          lintDocsPerSec: lintRate.best * c.documents,
          ratioLintToParse: parseRate.best / lintRate.best,
        },
      };
    });
    return {
      machine: `${cpus().length}x ${cpus()[0]?.model ?? '?'}`,
      node: process.version,
      commit: commit(),
      targetDocsPerSec: TARGET_DOCS_PER_SEC,
      prepareMs,
      corpora: results,
    };
  } finally {
    cleanup();
  }
}

export function printLintManifests(results) {
  console.log(`manifest lint on ${results.machine}, node ${results.node}, commit ${results.commit} (one core)`);
  console.log(`  loading the schema validators once: ${results.prepareMs.toFixed(0)} ms`);
  for (const r of results.corpora) {
    const verdict = r.lintDocsPerSec >= results.targetDocsPerSec ? 'meets' : 'below';
    console.log(`  ${r.corpus}: ${r.documents} documents`);
    console.log(`    yaml parseAllDocuments: ${r.parseDocsPerSec.toFixed(0)} docs/s; lint (parse included): ${r.lintDocsPerSec.toFixed(0)} docs/s (${verdict} the ${results.targetDocsPerSec}/s target)`);
    console.log(`    lint / parse time: ${r.ratioLintToParse.toFixed(2)}x (median of per-round ratios); ${r.lintMsPerFile.toFixed(3)} ms per file`);
    console.log(`    best rounds: parse ${r.best.parseDocsPerSec.toFixed(0)} docs/s, lint ${r.best.lintDocsPerSec.toFixed(0)} docs/s, ${r.best.ratioLintToParse.toFixed(2)}x`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) printLintManifests(await benchLintManifests());
