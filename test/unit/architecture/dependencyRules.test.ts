// Each rule of .dependency-cruiser.cjs fires on a deliberate violation: tiny trees in
// test/fixtures/deps/<case>/ (the src/extension shape of the real one) are cruised with the
// project's real config through dependency-cruiser's API, as `npm run lint` cruises src/ and media/.
// The capability header rule (scripts/checkArchitecture.ts) runs on a fixture and on the real tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { IViolation } from 'dependency-cruiser';
import { capabilityHeaderProblems, checkArchitecture } from '../../../scripts/checkArchitecture';

const ROOT = join(__dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/deps');

const cruiseFixture = (name: string) => checkArchitecture(join(FIXTURES, name));

/** `rule: from → to` for each violation, sorted, so a failure shows what fired. */
const described = (violations: IViolation[]) => violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();

test('the clean tree breaks no rule: ../models/api from a sibling, media → protocol and an allowlisted package are fine', async () => {
  const report = await cruiseFixture('clean');
  assert.ok(report.modules >= 20, `cruised ${report.modules} modules`);
  assert.deepEqual(described(report.violations), []);
  assert.deepEqual(report.headerProblems, []);
});

test('no-circular: ctx.ts and config.ts tied together by `import type` alone', async () => {
  const { violations } = await cruiseFixture('circular');
  assert.deepEqual([...new Set(violations.map((v) => v.rule.name))], ['no-circular']);
  const cycle = violations[0]!;
  const files = [cycle.from, ...(cycle.cycle ?? []).map((step) => step.name)];
  assert.ok(files.includes('src/extension/ctx.ts') && files.includes('src/extension/config.ts'), files.join(' → '));
  // Without tsPreCompilationDeps the type-only imports would vanish, and the circle with them.
  assert.ok((cycle.cycle ?? []).every((step) => step.dependencyTypes.includes('type-only')), JSON.stringify(cycle.cycle));
});

/** Fixtures that break one rule, and every violation each must give (`rule: from → to`). */
const VIOLATIONS: [rule: string, fixture: string, expected: string[]][] = [
  ['adapters-apart: src/docker and src/kube import each other', 'adapters', [
    'adapters-apart: src/docker/engine.ts → src/kube/cluster.ts',
    'adapters-apart: src/kube/logs.ts → src/docker/stream.ts',
  ]],
  ['capability-siblings: past a sibling\'s api.ts, from any depth; the api.ts itself is allowed', 'siblings', [
    'capability-siblings: src/extension/containerize/plan.ts → src/extension/models/modelTarget.ts',
    'capability-siblings: src/extension/lint/fixes/quickFix.ts → src/extension/models/modelTarget.ts',
  ]],
  ['shell-bottom-and-common-below-capabilities: ctx/config/log and common/ reaching up', 'shell-bottom', [
    'shell-bottom-and-common-below-capabilities: src/extension/common/settings.ts → src/extension/lint/runner.ts',
    'shell-bottom-and-common-below-capabilities: src/extension/config.ts → src/extension/common/settings.ts',
    'shell-bottom-and-common-below-capabilities: src/extension/ctx.ts → src/extension/models/api.ts',
    'shell-bottom-and-common-below-capabilities: src/extension/log.ts → src/extension/commands.ts',
  ]],
  ['media-imports-protocol-only: a capability api, a Node built-in and a package off the allowlist', 'media', [
    'media-imports-protocol-only: media/main.ts → fs',
    'media-imports-protocol-only: media/main.ts → lit',
    'media-imports-protocol-only: media/main.ts → src/extension/models/api.ts',
  ]],
];

for (const [title, fixture, expected] of VIOLATIONS) {
  test(title, async () => {
    const { violations } = await cruiseFixture(fixture);
    assert.deepEqual(described(violations), expected);
  });
}

test('capability headers: each sibling api imported is named with a reason, and none that is not', async () => {
  const { violations, headerProblems } = await cruiseFixture('headers');
  assert.deepEqual(described(violations), []);
  assert.equal(headerProblems.length, 4, headerProblems.join('\n'));
  const [containerize, engine, lint, webview] = headerProblems;
  assert.match(containerize!, /^src\/extension\/containerize\/index\.ts: the folder imports models\/api but .* `Uses: models\/api \(why\)`/);
  assert.match(engine!, /^src\/extension\/engine\/index\.ts is missing/);
  assert.match(lint!, /^src\/extension\/lint\/index\.ts: the leading doc comment names models\/api but no file of the folder imports it/);
  assert.match(webview!, /^src\/extension\/webview\/index\.ts: `Uses: models\/api` gives no reason/);
});

test('capability headers: only the leading doc comment counts', () => {
  const header = (uses: string) => `/**\n * Containerize.\n * ${uses}\n */\nimport type { ModelsApi } from '../models/api';\n`;
  assert.deepEqual(capabilityHeaderProblems([{ name: 'containerize', indexText: header('Uses: models/api (the model pointed at).'), importedApis: ['models'] }]), []);
  const later = `/** Containerize. */\nimport type { ModelsApi } from '../models/api';\n/** Uses: models/api (too late). */\n`;
  assert.match(capabilityHeaderProblems([{ name: 'containerize', indexText: later, importedApis: ['models'] }]).join('\n'), /does not say so/);
  assert.deepEqual(capabilityHeaderProblems([]), []);
});

// Runs over whatever capability folders src/extension has: with none yet, it passes trivially.
test('capability headers of the real src/extension agree with its imports', async () => {
  const { headerProblems } = await checkArchitecture(ROOT, ['src']);
  assert.deepEqual(headerProblems, []);
});
