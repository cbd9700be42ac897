// The `ci` target: a GitHub Actions workflow that lints, builds, smoke-tests, pushes (main only,
// SHA tag, never latest) and deploys to staging with kustomize, with actions pinned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CASES, IRIS, MODELS, parseOne, plan, type Obj } from './kubernetes.support';


const ON_MAIN = "github.event_name == 'push' && github.ref == 'refs/heads/main'";

async function workflow(root: string, options: Parameters<typeof plan>[1]) {
  const p = await plan(root, options);
  const file = p.file('.github/workflows/modelship.yml');
  return { ...p, text: file.contents, wf: parseOne(file) as Obj };
}

const steps = (job: Obj): Obj[] => job.steps;
const scripts = (job: Obj): string => steps(job).map((s) => s.run ?? '').join('\n');

test('the workflow runs on main and pull requests, with jobs in order', async () => {
  for (const c of CASES) {
    const { wf } = await workflow(c.root, c.options);
    assert.deepEqual(wf.on.push.branches, ['main']);
    assert.ok('pull_request' in wf.on);
    assert.deepEqual(wf.permissions, { contents: 'read' });
    assert.deepEqual(Object.keys(wf.jobs), ['lint', 'build', 'smoke-test', 'push', 'deploy-staging']);
    assert.equal(wf.jobs.lint.needs, undefined);
    assert.equal(wf.jobs.build.needs, 'lint');
    assert.equal(wf.jobs['smoke-test'].needs, 'build');
    assert.equal(wf.jobs.push.needs, 'smoke-test');
    assert.equal(wf.jobs['deploy-staging'].needs, 'push');
    assert.ok(wf.concurrency.group);
  }
});

test('only main pushes an image and deploys; nothing is ever tagged latest', async () => {
  for (const c of CASES) {
    const { spec, wf, text } = await workflow(c.root, c.options);
    for (const job of ['lint', 'build', 'smoke-test']) assert.equal(wf.jobs[job].if, undefined, job);
    assert.equal(wf.jobs.push.if, ON_MAIN);
    assert.equal(wf.jobs['deploy-staging'].if, ON_MAIN);
    assert.deepEqual(wf.jobs.push.permissions, { contents: 'read', packages: 'write' });
    assert.doesNotMatch(text, /latest/);
    const push = scripts(wf.jobs.push);
    assert.match(push, new RegExp(`image="ghcr\\.io/\\$\\{GITHUB_REPOSITORY_OWNER,,\\}/${spec.name}:\\$GITHUB_SHA"`));
    assert.match(push, /docker push "\$image"/);
    const build = steps(wf.jobs.build).find((s) => String(s.uses).startsWith('docker/build-push-action@'))!;
    assert.equal(build.with.push, false, 'the build job never pushes');
    assert.match(build.with.tags, /:\$\{\{ github\.sha \}\}$/);
  }
});

test('the lint job holds a commented `modelship lint` step until the command ships', async () => {
  const { text, wf } = await workflow(IRIS, { model: 'model.joblib' });
  assert.match(text, /\n {6}# `modelship lint` arrives with the lint feature; then uncomment:\n {6}# - name: .*\n {6}# {3}run: npx --yes modelship lint\n {2}build:/);
  assert.ok(!scripts(wf.jobs.lint).includes('modelship lint'), 'not run yet');
});

test('every action is pinned to a version', async () => {
  const { wf } = await workflow(IRIS, { model: 'model.joblib' });
  const uses = Object.values(wf.jobs).flatMap((job) => steps(job as Obj).map((s) => s.uses).filter(Boolean)) as string[];
  assert.ok(uses.includes('actions/checkout@v4'));
  assert.ok(uses.some((u) => /^docker\/build-push-action@v\d+$/.test(u)));
  for (const u of uses) assert.match(u, /^[\w.-]+\/[\w.-]+@v\d+(\.\d+){0,2}$/, u);
});

test('the smoke test runs the image hardened, waits for readiness and posts the sample', async () => {
  for (const c of CASES) {
    const { spec, wf } = await workflow(c.root, c.options);
    const run = scripts(wf.jobs['smoke-test']);
    assert.match(run, /docker load/);
    assert.match(run, /--read-only --tmpfs \/tmp/);
    assert.ok(run.includes(`--user ${spec.uid}:${spec.uid}`));
    assert.ok(run.includes(`curl -fsS http://127.0.0.1:${spec.port}${spec.paths.ready}`));
    assert.ok(run.includes(`--data @serving/sample.json http://127.0.0.1:${spec.port}${spec.paths.predict}`));
    assert.match(run, /if \[ -f serving\/sample\.json \]; then/, 'models without a sample still pass, with a warning');
    assert.equal(run.includes(`:${spec.model.containerPath}:ro`), spec.mode === 'mount', `${c.label}: model mounted iff mount mode`);
    const loop = /seq 1 (\d+)/.exec(run);
    assert.ok(loop && Number(loop[1]) * 2 >= spec.startupSeconds, 'waits at least the startup budget');
  }
});

test('staging deploys this commit\'s image with kustomize and waits for the rollout', async () => {
  const { spec, wf } = await workflow(IRIS, { model: 'model.joblib' });
  const deploy = wf.jobs['deploy-staging'];
  assert.deepEqual(deploy.environment, { name: 'staging' });
  assert.deepEqual(deploy.concurrency, { group: `deploy-staging-${spec.name}`, 'cancel-in-progress': false });
  const setImage = steps(deploy).find((s) => String(s.run).startsWith('kustomize edit set image'))!;
  assert.equal(setImage['working-directory'], 'deploy/k8s/overlays/staging');
  assert.equal(setImage.run, `kustomize edit set image ${spec.image.repository}=ghcr.io/\${GITHUB_REPOSITORY_OWNER,,}/${spec.name}:$GITHUB_SHA`);
  const run = scripts(deploy);
  assert.match(run, /kubectl apply -k deploy\/k8s\/overlays\/staging/);
  assert.match(run, new RegExp(`kubectl -n ${spec.name}-staging rollout status deployment/${spec.name} --timeout=\\d+s`));
  assert.ok(run.indexOf('kubectl apply') < run.indexOf('rollout status'));
});

test('without the k8s target there is no deploy job, and lint checks only what exists', async () => {
  const p = await plan(MODELS, { model: 'model.onnx', targets: ['ci', 'compose'] });
  const wf = parseOne(p.file('.github/workflows/modelship.yml')) as Obj;
  assert.deepEqual(Object.keys(wf.jobs), ['lint', 'build', 'smoke-test', 'push']);
  const lint = scripts(wf.jobs.lint);
  assert.doesNotMatch(lint, /kubectl|helm/);
  assert.match(lint, /docker compose -f compose\.yaml config/);
});

test('every run script is valid bash', async () => {
  for (const c of CASES) {
    const { wf } = await workflow(c.root, c.options);
    for (const [name, job] of Object.entries(wf.jobs)) {
      for (const step of steps(job as Obj).filter((s) => s.run)) {
        // Expressions are substituted by Actions before the shell sees the script.
        const script = String(step.run).replace(/\$\{\{[^}]*\}\}/g, 'x');
        const result = spawnSync('bash', ['-n', '-c', script], { encoding: 'utf8' });
        assert.equal(result.status, 0, `${c.label} ${name}: ${result.stderr}\n${script}`);
      }
    }
  }
});
