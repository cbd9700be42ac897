// Child process of bench/activation.mjs: loads one built dist/extension.js under a stand-in `vscode`
// module that accepts every call (views, commands, watchers...) and times require + activate, the
// part of activation that is our own work. Prints one JSON line.
'use strict';
const Module = require('module');
const path = require('path');

/** A value that is every VS Code API at once: any property, call or `new` gives another, and disposing does nothing. */
function anything(name) {
  const cache = new Map();
  const target = function () {};
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === Symbol.toPrimitive) return (hint) => (hint === 'number' ? 0 : '');
      if (prop === 'then') return undefined; // not a thenable
      if (prop === Symbol.iterator) return function* () {};
      if (prop === 'length') return 0;
      if (!cache.has(prop)) cache.set(prop, anything(`${name}.${String(prop)}`));
      return cache.get(prop);
    },
    // Writes (item.name = …, a function's read-only name among them) are accepted and forgotten.
    set: () => true,
    defineProperty: () => true,
    apply: () => anything(`${name}()`),
    construct: () => anything(`new ${name}`),
  });
}

// esbuild's interop copies the module's own keys, so the namespace is a plain object of stand-ins.
const API = ['CancellationError', 'CodeAction', 'CodeActionKind', 'ConfigurationTarget', 'Diagnostic', 'DiagnosticRelatedInformation',
  'DiagnosticSeverity', 'Disposable', 'EndOfLine', 'EventEmitter', 'FileSystemError', 'FileType', 'Location', 'MarkdownString', 'Position',
  'ProgressLocation', 'Range', 'Selection', 'TabInputTextDiff', 'TextEdit', 'ThemeColor', 'ThemeIcon', 'TreeItem', 'TreeItemCollapsibleState',
  'Uri', 'WorkspaceEdit', 'commands', 'env', 'extensions', 'languages', 'l10n', 'window', 'workspace', 'StatusBarAlignment', 'ViewColumn',
  'QuickPickItemKind', 'LogLevel', 'RelativePattern'];
const vscode = Object.fromEntries(API.map((name) => [name, anything(name)]));
vscode.version = '1.90.0';
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? vscode : load.call(this, request, ...rest);
};

const bundle = path.resolve(process.argv[2]);
const t0 = process.hrtime.bigint();
const ext = require(bundle);
const t1 = process.hrtime.bigint();
const context = {
  subscriptions: [],
  extension: { packageJSON: { repository: { url: 'https://github.com/modelship/modelship.git' } } },
  workspaceState: anything('workspaceState'),
  globalState: anything('globalState'),
  extensionUri: anything('extensionUri'),
};
ext.activate(context);
const t2 = process.hrtime.bigint();
process.stdout.write(JSON.stringify({ requireMs: Number(t1 - t0) / 1e6, activateMs: Number(t2 - t1) / 1e6, subscriptions: context.subscriptions.length }) + '\n');
// Activation schedules the first scan for after it returns; stop before it runs.
process.exit(0);
