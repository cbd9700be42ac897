// The generated Dockerfile reads pip's package mirror from optional build secrets (issue 12): the
// secret mounts are there by default, pass our own lint rules, export a variable only when its
// secret is non-empty, and are left out with pipSecrets: false or --offline (classic-builder form).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { detectProject } from '../../../src/core/detect';
import { lintFile } from '../../../src/core/lint';
import { scaffold, type ContainerizeOptions } from '../../../src/core/scaffold';
import { normalizeSettings } from '../../../src/core/settings';
import { NodeFsReader } from '../../../src/platform/nodeFsReader';

const IRIS = join(__dirname, '../../../examples/iris-sklearn');

async function dockerfile(extra: Partial<ContainerizeOptions> = {}): Promise<{ text: string; ignore: string }> {
  const desc = await detectProject(new NodeFsReader(IRIS), normalizeSettings({}).detect, IRIS);
  const { files } = scaffold(desc, { model: 'model.joblib', gpu: false, mode: 'bake', targets: ['dockerfile'], ...extra });
  return { text: files.find((f) => f.path === 'Dockerfile')!.contents, ignore: files.find((f) => f.path === '.dockerignore')!.contents };
}

test('pip install mounts the mirror secrets, optional, and exports only non-empty ones', async () => {
  const { text } = await dockerfile();
  const run = /^RUN --mount[\s\S]*?pip install[^\n]*$/m.exec(text)?.[0] ?? '';
  assert.ok(run, text);
  for (const id of ['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL']) assert.match(run, new RegExp(`--mount=type=secret,id=${id},required=false`));
  assert.match(run, /--mount=type=secret,id=pip\.conf,target=\/etc\/pip\.conf,required=false/);
  assert.match(run, /if \[ -s "\/run\/secrets\/\$v" \]; then export/);
  assert.doesNotMatch(text, /ARG PIP_|ENV PIP_INDEX_URL|--build-arg PIP_INDEX_URL/, 'never a build arg or ENV');
  assert.match(text, /# {3}docker build --secret id=PIP_INDEX_URL,env=PIP_INDEX_URL/, 'the header says how to pass them with the docker CLI');
});

test('the Dockerfile with secret mounts passes our own lint rules', async () => {
  const { text, ignore } = await dockerfile();
  const findings = await lintFile({ file: 'Dockerfile', text, dockerignore: ignore, settings: normalizeSettings({}).lint });
  assert.deepEqual(findings.map((f) => `${f.ruleId ?? ''} ${f.message}`), []);
});

test('pipSecrets: false and offline builds write the classic-builder form', async () => {
  for (const options of [{ pipSecrets: false }, { offline: true }] as Partial<ContainerizeOptions>[]) {
    const { text } = await dockerfile(options);
    assert.doesNotMatch(text, /--mount/, JSON.stringify(options));
    assert.match(text, /^RUN pip install --no-cache-dir /m, JSON.stringify(options));
  }
});

test('.dockerignore keeps pip.conf and the generated-file record out of the context', async () => {
  const { ignore } = await dockerfile();
  assert.match(ignore, /^\*\*\/pip\.conf$/m);
  assert.match(ignore, /^\.modelship$/m);
});
