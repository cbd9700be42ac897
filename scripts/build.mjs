// Bundles each entry with esbuild: the extension (vscode external), the CLI (with a shebang),
// and the extension-host test suites. One bundle per entry keeps activation to one file read.
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, chmodSync, mkdirSync, copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWithSharedChunks } from './sharedChunks.mjs';

const watch = process.argv.includes('--watch');
// `modelship --version` prints the version package.json declares at build time.
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  loader: { '.tmpl': 'text', '.py': 'text' },
  define: { MODELSHIP_VERSION: JSON.stringify(version) },
};

// ssh2's optional native speed-ups: required inside try/catch, so leaving them out only costs speed over ssh://.
const NATIVE_OPTIONAL = ['cpu-features', '*.node'];

/**
 * dockerode requires gRPC (BuildKit's session) and ssh2 (ssh:// engines) at load, about 110 ms and
 * 550 KB of start-up that most engine commands never use. Rewrite those two requires to run on
 * first use; fail the build if dockerode's source no longer looks as expected.
 */
const lazyEngineClients = {
  name: 'lazy-engine-clients',
  setup(build) {
    const patches = [
      {
        file: /dockerode[\\/]lib[\\/]session\.js$/,
        from: 'var grpc = require("@grpc/grpc-js"),\n  protoLoader = require("@grpc/proto-loader"),',
        to: 'var grpc, protoLoader,',
        also: ['function withSession(docker, auth, handler) {', 'function withSession(docker, auth, handler) {\n  grpc = grpc || require("@grpc/grpc-js"); protoLoader = protoLoader || require("@grpc/proto-loader");'],
      },
      { file: /docker-modem[\\/]lib[\\/]modem\.js$/, from: "ssh = require('./ssh'),", to: "ssh = function (opts) { return require('./ssh')(opts); }," },
    ];
    build.onLoad({ filter: /(dockerode[\\/]lib[\\/]session|docker-modem[\\/]lib[\\/]modem)\.js$/ }, async (args) => {
      const patch = patches.find((p) => p.file.test(args.path));
      let text = readFileSync(args.path, 'utf8');
      for (const [from, to] of [[patch.from, patch.to], ...(patch.also ? [patch.also] : [])]) {
        if (!text.includes(from)) throw new Error(`lazy-engine-clients: ${args.path} no longer contains ${JSON.stringify(from)}; update scripts/build.mjs`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

const testSuiteDir = 'test/extension';
const testEntries = existsSync(testSuiteDir)
  ? readdirSync(testSuiteDir).filter((f) => f.endsWith('.ts')).map((f) => join(testSuiteDir, f))
  : [];

// The extension's lazily loaded bundles and the CLI (which the .vsix ships too, as the `modelship`
// command of the editor's terminals) share what they have in common through dist/chunk-*.js
// (scripts/sharedChunks.mjs): no module is shipped twice. extension.js stays one file of its own.
const engineOptions = { external: ['vscode', ...NATIVE_OPTIONAL], plugins: [lazyEngineClients] };
const shared = [
  // Loaded by the extension on first detection, never at activation.
  { ...common, entryPoints: ['src/extension/common/detectionBundle.ts'], outfile: 'dist/detection.js', external: ['vscode'], minify: true },
  // Loaded by the first Containerize: its questions, plan, consent and summary.
  { ...common, entryPoints: ['src/extension/containerize/containerizeBundle.ts'], outfile: 'dist/containerize.js', external: ['vscode'], minify: true },
  // Loaded when the first Dockerfile or manifest is linted.
  { ...common, entryPoints: ['src/extension/lint/lintBundle.ts'], outfile: 'dist/lint.js', external: ['vscode'], minify: true },
  // Loaded by the first engine command or the Images & Containers view: dockerode and the build, run and push flows.
  { ...common, entryPoints: ['src/extension/engine/engineBundle.ts'], outfile: 'dist/engine.js', minify: true, ...engineOptions },
  // Loaded by the first cluster command, the Deployments view or a restored panel: the Kubernetes client, dockerode and the deploy flows.
  { ...common, entryPoints: ['src/extension/deploy/deployBundle.ts'], outfile: 'dist/deploy.js', minify: true, ...engineOptions },
  // Minified: the CLI starts often, and parsing a smaller file is most of its start-up.
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', external: ['vscode'], minify: true, banner: { js: '#!/usr/bin/env node' } },
  // The heavy commands, required by dist/cli.js only when they run.
  { ...common, entryPoints: { 'cli-lint': 'src/cli/commands/lint.ts' }, outdir: 'dist', external: ['vscode'], minify: true },
  { ...common, entryPoints: { 'cli-containerize': 'src/cli/commands/containerize.ts' }, outdir: 'dist', external: ['vscode'], minify: true },
  // The engine commands carry dockerode (and BuildKit's gRPC session); its .proto files go to dist/proto.
  { ...common, entryPoints: { 'cli-ship': 'src/cli/commands/ship.ts' }, outdir: 'dist', minify: true, ...engineOptions },
  // The cluster commands carry the Kubernetes client (ESM-only, bundled to CJS here); only deploy, which
  // builds and pushes, also carries dockerode, so status and logs start without it.
  { ...common, entryPoints: { 'cli-cluster': 'src/cli/commands/clusterCommands.ts' }, outdir: 'dist', external: ['vscode'], minify: true },
  { ...common, entryPoints: { 'cli-deploy': 'src/cli/commands/deploy.ts' }, outdir: 'dist', minify: true, ...engineOptions },
];
const chunkOptions = { ...common, minify: true, ...engineOptions };
const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], minify: true },
];
if (testEntries.length > 0) {
  builds.push({ ...common, entryPoints: testEntries, outdir: 'dist/test/extension', external: ['vscode', 'mocha'] });
}

// ---- Webview browser bundles (the Deployment panels, src/extension/webview): begin ----
// media/<panel>.ts runs in the webview, not in Node: one self-contained IIFE per panel, loaded under
// the panel's CSP from dist/media (its only localResourceRoot), with the stylesheets copied beside it.
const browser = { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify: true, logLevel: 'warning' };
builds.push(
  { ...browser, entryPoints: ['media/statusPanel.ts'], outfile: 'dist/media/statusPanel.js' },
  { ...browser, entryPoints: ['media/logsPanel.ts'], outfile: 'dist/media/logsPanel.js' },
);
mkdirSync('dist/media', { recursive: true });
for (const f of readdirSync('media').filter((name) => name.endsWith('.css'))) copyFileSync(join('media', f), join('dist/media', f));
// ---- Webview browser bundles: end ----

/** Which input went into which output and how many bytes of it: scripts/check-bundles.mjs reads it. */
function mergeMetafiles(metafiles) {
  const outputs = {};
  for (const meta of metafiles) {
    for (const [out, { inputs }] of Object.entries(meta.outputs)) {
      if (!out.endsWith('.map')) outputs[out] = Object.fromEntries(Object.entries(inputs).map(([input, { bytesInOutput }]) => [input, bytesInOutput]));
    }
  }
  return { outputs };
}

if (watch) {
  // Watching rebuilds each bundle whole (no shared chunks): quicker, and only for development.
  for (const options of [...builds, ...shared]) await (await esbuild.context(options)).watch();
} else {
  // A chunk of an earlier build would be shipped though nothing requires it.
  for (const f of existsSync('dist') ? readdirSync('dist').filter((name) => name.startsWith('chunk-')) : []) rmSync(join('dist', f));
  const [sharedMetafiles, results] = await Promise.all([
    buildWithSharedChunks(shared, chunkOptions, 'dist'),
    Promise.all(builds.map((options) => esbuild.build({ ...options, metafile: true }))),
  ]);
  writeFileSync('dist/metafile.json', JSON.stringify(mergeMetafiles([...sharedMetafiles, ...results.map((r) => r.metafile)])));
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
  // dockerode loads BuildKit's status and auth protos from <bundle dir>/proto at run time.
  mkdirSync('dist/proto', { recursive: true });
  for (const f of readdirSync('node_modules/dockerode/lib/proto')) copyFileSync(join('node_modules/dockerode/lib/proto', f), join('dist/proto', f));
}
