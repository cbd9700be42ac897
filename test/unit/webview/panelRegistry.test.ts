// The open panels are one list per extension host even when this folder is bundled twice (into
// dist/extension.js and into the bundle that opens panels): a second copy of the module, loaded
// fresh as another bundle would be, sees the panels the first one registered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as registryModule from '../../../src/extension/webview/panelRegistry';
import type { LogsPanelEntry } from '../../../src/extension/webview/panelRegistry';

const path = require.resolve('../../../src/extension/webview/panelRegistry');

/** A fresh copy of the module and of what it imports, as a separate bundle would have. */
function freshCopy(): typeof registryModule {
  for (const key of Object.keys(require.cache)) if (key.includes('/src/extension/webview/')) delete require.cache[key];
  return require(path) as typeof registryModule;
}

test('two copies of the registry share the panels; targets are matched field by field', () => {
  const a = freshCopy();
  const b = freshCopy();
  assert.notEqual(a.logsPanels, b.logsPanels, 'two module instances');
  const target = { projectDir: '/w/iris', environment: 'staging', deployment: 'iris' };
  const handle = { panel: {}, bufferedLines: () => 0, visibleText: () => [], dispose: () => {}, showPrevious: () => {} } as unknown as LogsPanelEntry;
  a.logsPanels.add(handle, target);
  assert.equal(b.logsPanels.find({ ...target }), handle);
  assert.equal(b.logsPanels.find({ ...target, environment: 'prod' }), undefined);
  assert.deepEqual(b.openPanels().logs, [handle]);
  b.logsPanels.remove(handle);
  assert.deepEqual(a.openPanels(), { status: [], logs: [] });
});
