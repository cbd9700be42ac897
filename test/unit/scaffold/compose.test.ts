// The `compose` target: the API, the Redis-backed batch worker and Redis, hardened like the pods,
// with the model mounted read-only in mount mode and a GPU reservation when asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CASES, IRIS, MODELS, optionalTool, parseOne, plan, run, writeTree, type Obj } from './kubernetes.support';


async function compose(root: string, options: Parameters<typeof plan>[1]) {
  const p = await plan(root, options);
  return { ...p, compose: parseOne(p.file('compose.yaml')) as Obj };
}

test('compose.yaml has the api, the worker and redis, wired together', async () => {
  for (const c of CASES) {
    const { spec, compose: doc } = await compose(c.root, c.options);
    assert.deepEqual(Object.keys(doc.services).sort(), ['api', 'redis', 'worker']);
    const { api, worker, redis } = doc.services;

    assert.equal(api.build, '.');
    assert.equal(api.image, spec.image.ref);
    assert.doesNotMatch(api.image, /:latest$/);
    assert.deepEqual(api.ports, [`${spec.port}:${spec.port}`]);
    assert.equal(api.environment.REDIS_URL, 'redis://redis:6379/0');
    for (const [key, value] of Object.entries(spec.env)) assert.equal(api.environment[key], value, `${c.label}: ${key}`);

    // The health check calls the app's readiness endpoint and waits out the model's load.
    const check = api.healthcheck.test.join(' ');
    assert.equal(api.healthcheck.test[0], 'CMD');
    assert.ok(check.includes(`http://127.0.0.1:${spec.port}${spec.paths.ready}`), check);
    assert.ok(parseInt(api.healthcheck.start_period, 10) >= spec.startupSeconds);

    // Hardened as in the cluster.
    for (const s of [api, worker]) {
      assert.equal(s.read_only, true);
      assert.equal(s.user, `${spec.uid}:${spec.uid}`);
      assert.deepEqual(s.tmpfs, ['/tmp']);
      assert.deepEqual(s.cap_drop, ['ALL']);
      assert.deepEqual(s.depends_on, { redis: { condition: 'service_healthy' } });
    }

    // The worker is the same image with the same environment, running the queue consumer.
    assert.deepEqual(worker.command, ['python', '-m', 'serving.worker']);
    assert.equal(worker.image, api.image);
    assert.deepEqual(worker.environment, api.environment);
    assert.equal(worker.ports, undefined);
    assert.deepEqual(worker.healthcheck, { disable: true });

    assert.match(redis.image, /^redis:7\.\d+\.\d+-alpine$/, 'redis pinned to a patch release');
    assert.deepEqual(redis.healthcheck.test, ['CMD', 'redis-cli', 'ping']);
    assert.ok(redis.command.includes('--appendonly') && redis.command.includes('--save'), 'no persistence');
  }
});

test('mount mode mounts the model read-only where the image would have it', async () => {
  const { spec, compose: doc } = await compose(MODELS, { model: 'sklearn_pipeline.joblib', mode: 'mount', modelUri: 's3://b/sklearn_pipeline.joblib' });
  for (const s of [doc.services.api, doc.services.worker]) assert.deepEqual(s.volumes, [`./sklearn_pipeline.joblib:${spec.model.containerPath}:ro`]);
  const sharded = await compose(MODELS, { model: 'sharded/model.safetensors.index.json', mode: 'mount' });
  assert.deepEqual(sharded.compose.services.api.volumes, [
    './sharded/model.safetensors.index.json:/models/model.safetensors.index.json:ro',
    './sharded/model-00001-of-00002.safetensors:/models/model-00001-of-00002.safetensors:ro',
    './sharded/model-00002-of-00002.safetensors:/models/model-00002-of-00002.safetensors:ro',
  ]);
  const baked = await compose(IRIS, { model: 'model.joblib' });
  assert.equal(baked.compose.services.api.volumes, undefined);
});

test('a GPU is reserved for the api and the worker iff asked; torch gets a bigger /dev/shm', async () => {
  const { compose: gpu } = await compose(MODELS, { model: 'torchscript_model.pt', gpu: true });
  for (const s of [gpu.services.api, gpu.services.worker]) {
    assert.deepEqual(s.deploy.resources.reservations.devices, [{ driver: 'nvidia', count: 1, capabilities: ['gpu'] }]);
    assert.match(s.shm_size, /^\d+m$/);
  }
  const { compose: cpu } = await compose(IRIS, { model: 'model.joblib' });
  assert.equal(cpu.services.api.deploy, undefined);
  assert.equal(cpu.services.api.shm_size, undefined);
});

test('WORKERS=auto gets the Deployment\'s CPU limit (one model copy per CPU, not per host CPU); one worker gets none', async () => {
  const { spec, compose: cpu } = await compose(IRIS, { model: 'model.joblib' });
  assert.equal(spec.env.WORKERS, 'auto');
  for (const s of [cpu.services.api, cpu.services.worker]) assert.equal(s.cpus, Number(spec.resources.limits.cpu));
  const { spec: gpuSpec, compose: gpu } = await compose(MODELS, { model: 'torchscript_model.pt', gpu: true });
  assert.equal(gpuSpec.env.WORKERS, '1');
  assert.equal(gpu.services.api.cpus, undefined);
});

test('docker compose accepts the file', async (t) => {
  if (!optionalTool(t, 'docker', ['compose', 'version'], 'checking compose.yaml with `docker compose config`')) return;
  for (const c of CASES) {
    const p = await plan(c.root, c.options);
    const root = writeTree(p.files);
    run('docker', ['compose', '-f', 'compose.yaml', 'config', '--quiet', '--no-interpolate'], root);
  }
});
