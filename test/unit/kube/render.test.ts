import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_IN_RENDERER, renderKustomize } from '../../../src/kube/render';

test('with neither kustomize nor kubectl on PATH, the overlay is rendered by the built-in renderer', async () => {
  const root = mkdtempSync(join(tmpdir(), 'modelship-render-'));
  mkdirSync(join(root, 'base'));
  mkdirSync(join(root, 'overlay'));
  writeFileSync(join(root, 'base/kustomization.yaml'), 'resources:\n  - service.yaml\n');
  writeFileSync(join(root, 'base/service.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: iris\nspec:\n  selector: { app: iris }\n  ports: [{ port: 8080 }]\n');
  writeFileSync(join(root, 'overlay/kustomization.yaml'), 'namespace: iris-dev\nresources:\n  - namespace.yaml\n  - ../base\ncommonLabels:\n  env: dev\n');
  writeFileSync(join(root, 'overlay/namespace.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: iris-dev\n');
  const saved = process.env.PATH;
  process.env.PATH = '';
  try {
    const result = await renderKustomize(join(root, 'overlay'));
    assert.equal(result.renderedBy, BUILT_IN_RENDERER);
    assert.equal(result.renderedBy, "Modelship's built-in renderer (kustomize and kubectl are not on PATH)");
    assert.deepEqual(result.objects, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'iris-dev', labels: { env: 'dev' } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'iris', namespace: 'iris-dev', labels: { env: 'dev' } }, spec: { selector: { app: 'iris', env: 'dev' }, ports: [{ port: 8080 }] } },
    ]);
    // What it does not handle is refused with the file and line, not rendered wrongly.
    writeFileSync(join(root, 'overlay/kustomization.yaml'), 'resources:\n  - ../base\nconfigMapGenerator:\n  - name: c\n');
    await assert.rejects(renderKustomize(join(root, 'overlay')), (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, 'KUSTOMIZE_UNSUPPORTED');
      assert.ok(error.message.includes(`${join(root, 'overlay/kustomization.yaml').split('\\').join('/')}:3: it uses \`configMapGenerator\``), error.message);
      assert.match(error.hint ?? '', /https:\/\/kubernetes\.io\/docs\/tasks\/tools\//);
      return true;
    });
  } finally {
    process.env.PATH = saved;
  }
});

test('a kubectl older than 1.21 that fails on a current overlay is named, with what to install', async () => {
  const root = mkdtempSync(join(tmpdir(), 'modelship-render-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'overlay'));
  writeFileSync(join(root, 'overlay/kustomization.yaml'), 'resources:\n  - ../base\n');
  // What Debian's kubectl 1.20 prints and how its kustomize v2 fails on a folder in `resources`.
  const kubectl = join(root, 'bin/kubectl');
  writeFileSync(kubectl, [
    '#!/bin/sh',
    'if [ "$1" = version ]; then echo \'Client Version: version.Info{Major:"1", Minor:"20", GitVersion:"v1.20.2"}\'; exit 0; fi',
    'echo "Error: rawResources failed to read Resources: Load from path ../base failed: \'../base\' must be a file" >&2',
    'exit 1',
    '',
  ].join('\n'), { mode: 0o755 });
  const saved = process.env.PATH;
  process.env.PATH = join(root, 'bin');
  try {
    await assert.rejects(renderKustomize(join(root, 'overlay')), (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, 'RENDER_FAILED');
      assert.match(error.message, /must be a file/);
      assert.match(error.hint ?? '', /The kubectl on PATH \(v1\.20\.2\) embeds kustomize v2, .*Install kubectl 1\.21 or later/);
      return true;
    });
  } finally {
    process.env.PATH = saved;
  }
});
