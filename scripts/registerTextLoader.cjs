// Lets tests (tsx, CommonJS) import template files as strings, as esbuild's text loader does in the bundles.
const fs = require('node:fs');
for (const ext of ['.py', '.tmpl']) {
  require.extensions[ext] = (module, filename) => {
    module.exports = { __esModule: true, default: fs.readFileSync(filename, 'utf8') };
  };
}
