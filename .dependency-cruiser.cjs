// The module boundaries of shared/STYLE.md that eslint's per-file no-restricted-imports cannot
// see: cycles, adapters kept apart, and the folder layout of src/extension (shell top, shell
// bottom, common/, capability folders that meet only through each other's api.ts) and media/.
// `npm run lint` cruises src and media with this file and allows no violation;
// test/unit/architecture/dependencyRules.test.ts shows each rule firing on a fixture.
//
// Paths are relative to the directory cruised from (the repository root, or a fixture root in
// the test). `$1` in a `to` pattern is the first group matched by the rule's `from.path`.

/** The only packages browser code in media/ may import. Add a browser UI package here, nothing else. */
const MEDIA_PACKAGES = ['@vscode-elements/elements'];

/** The webview message protocol, the one src/ module media/ may import. */
const WEBVIEW_PROTOCOL = '^src/extension/webview/protocol\\.ts$';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A folder directly under src/extension that is a capability: every one but common/. */
const CAPABILITY = 'src/extension/(?!common/)([^/]+)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A module here imports itself back through the listed path (type-only imports count: they tie ' +
        'the files together just the same). Break the circle: move the shared type or helper down into ' +
        'the lower module (src/extension/common/, ctx.ts, or core), or pass it in as a parameter ' +
        'instead of importing the module that calls you.',
      from: { path: '^(src|media)/' },
      to: { circular: true },
    },
    {
      name: 'adapters-apart',
      severity: 'error',
      comment:
        'src/docker and src/kube never import each other. Put what both need in src/core (plain data ' +
        'and pure functions) and let the caller (src/cli or src/extension) combine the two adapters.',
      from: { path: '^src/(docker|kube)/' },
      to: { path: '^src/(docker|kube)/', pathNot: '^src/$1/' },
    },
    {
      name: 'capability-siblings',
      severity: 'error',
      comment:
        'A capability folder of src/extension reaches a sibling capability only through its api.ts ' +
        '(`../models/api`, never `../models/modelTarget`). Export what you need from the sibling\'s ' +
        'api.ts and name it in your index.ts header (`Uses: models/api (why)`), or move code both ' +
        'need down into src/extension/common/.',
      from: { path: `^${CAPABILITY}` },
      to: { path: `^${CAPABILITY}`, pathNot: ['^src/extension/$1/', '^src/extension/[^/]+/api\\.ts$'] },
    },
    {
      name: 'shell-bottom-and-common-below-capabilities',
      severity: 'error',
      comment:
        'ctx.ts, config.ts, log.ts, prompter.ts and common/ sit below every capability folder: they ' +
        'never import a capability folder nor extension.ts/commands.ts (and the shell-bottom files not ' +
        'even common/). Depend on an interface declared down here (e.g. a field of Ctx typed with a ' +
        'small interface) and let the capability or commands.ts supply the implementation.',
      // $1 is `common/` for common/ (so common/ may import itself) and the file name otherwise.
      from: { path: '^src/extension/(common/|(?:ctx|config|log|prompter)\\.ts$)' },
      to: { path: '^src/extension/([^/]+/|(?:extension|commands)\\.ts$)', pathNot: '^src/extension/$1' },
    },
    {
      name: 'media-imports-protocol-only',
      severity: 'error',
      comment:
        'Browser code in media/ imports only other media/ files, the webview protocol types ' +
        '(src/extension/webview/protocol.ts) and the browser UI packages allowlisted in MEDIA_PACKAGES ' +
        'of .dependency-cruiser.cjs. Send anything else over the webview message protocol instead.',
      from: { path: '^media/' },
      to: {
        pathNot: ['^media/', WEBVIEW_PROTOCOL, ...MEDIA_PACKAGES.map((p) => `^(node_modules/)?${escape(p)}(/|$)`)],
      },
    },
  ],
  options: {
    // `import type` counts: a circle of type-only imports still ties the files together.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    // Speed: no orphan, reachability or metrics analysis, which no rule here asks for.
    skipAnalysisNotInRules: true,
    reporterOptions: {
      archi: {
        // For `depcruise --output-type archi src | dot -Tsvg`: about the folders that
        // `npm run deps:graph` (scripts/depsGraph.mjs) draws.
        collapsePattern: '^(src/core/[^/]+|src/extension/[^/]+|src/[^/]+|media)/',
      },
    },
  },
};
