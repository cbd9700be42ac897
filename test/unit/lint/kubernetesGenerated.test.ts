// Everything `containerize` writes for Kubernetes lints clean: each file of the kustomize layout
// (with the rest of its kustomization as context, so patches are known as patches and the HPA finds
// its Deployment), and each overlay as kubectl renders it. The Helm chart, KServe and compose are
// other targets and are not linted here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path/posix';
import type { ProjectDescription } from '../../../src/core/detect/types';
import { parseManifests, prepareManifestLinter } from '../../../src/core/lint/kubernetes';
import type { Finding } from '../../../src/core/lint/types';
import { scaffold, type PlannedFile } from '../../../src/core/scaffold';
import { renderKubernetes } from '../../../src/core/scaffold/generators/kubernetes';
import { CASES, describeProject, IRIS, kubectlBinaries, plan, requireTool, run, writeTree } from '../scaffold/kubernetes.support';
import { lint } from './kubernetes.support';

const KUBE_VERSIONS = ['1.32', '1.20'];
const k8sFiles = (files: PlannedFile[]) => files.filter((f) => f.target === 'k8s' && /\.ya?ml$/.test(f.path));
const show = (findings: Finding[]) => findings.map((f) => `${f.ruleId} ${f.range.start.line + 1}:${f.range.start.character + 1} ${f.message}`).join('\n');

/** The files deployed together with `file`: its own folder's, and the base's for an overlay. */
function companions(file: PlannedFile, all: PlannedFile[]): PlannedFile[] {
  const dir = dirname(file.path);
  const base = dir.replace(/\/overlays\/[^/]+$/, '/base');
  return all.filter((f) => f !== file && (dirname(f.path) === dir || dirname(f.path) === base));
}

async function lintPlan(files: PlannedFile[], project: ProjectDescription, kubernetesVersion: string, where: string): Promise<void> {
  const manifests = k8sFiles(files);
  assert.ok(manifests.length >= 10, `${where}: the kustomize layout`);
  for (const file of manifests) {
    const others = companions(file, manifests).flatMap((f) => parseManifests(f.contents, f.path));
    const findings = await lint(file.contents, { file: file.path, project, others, settings: { kubernetesVersion } });
    assert.deepEqual(findings, [], `${where} ${file.path}:\n${show(findings)}`);
  }
}

test('every generated manifest lints clean, file by file, with its kustomization as context', async () => {
  await prepareManifestLinter();
  for (const c of CASES) {
    for (const kubeVersion of KUBE_VERSIONS) {
      const { desc, spec } = await plan(c.root, c.options);
      await lintPlan(renderKubernetes(spec, { kubeVersion }), desc, kubeVersion, `${c.label} (Kubernetes ${kubeVersion})`);
    }
  }
});

test('a large model: the generated startup budget satisfies the startup-probe rule', async () => {
  const real = await describeProject(IRIS);
  const desc: ProjectDescription = { ...real, models: real.models.map((m) => ({ ...m, bytes: 6 * 1024 ** 3 })) };
  for (const gpu of [false, true]) {
    const { files } = scaffold(desc, { gpu, mode: 'bake', targets: ['k8s'], model: 'model.joblib' });
    await lintPlan(files, desc, '1.32', `iris as a 6 GiB model${gpu ? ', gpu' : ''}`);
  }
});

test('each overlay, rendered by kubectl kustomize, lints clean as one stream', async (t) => {
  const binaries = kubectlBinaries();
  if (!requireTool(t, binaries[0]!, ['version', '--client'], 'the overlays cannot be rendered')) return;
  for (const c of CASES) {
    const { desc, files } = await plan(c.root, c.options);
    const root = writeTree(files.filter((f) => f.target === 'k8s'));
    for (const dir of ['base', 'overlays/dev', 'overlays/staging', 'overlays/prod']) {
      const rendered = run(binaries[0]!, ['kustomize', `deploy/k8s/${dir}`], root).stdout;
      const findings = await lint(rendered, { file: `rendered/${dir}.yaml`, project: desc });
      assert.deepEqual(findings, [], `${c.label} ${dir}:\n${show(findings)}`);
    }
  }
});
