// The pure halves of the engine calls: the requests built for create, build and push, and the
// parsing of what comes back (container lists, log frames, /info, /version).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readShipTarget } from '../../../src/core/ship';
import { runRequest, toContainerSummary } from '../../../src/docker/container';
import { demuxFrames } from '../../../src/docker/containerLogs';
import { isTlsError, negotiateApiVersion } from '../../../src/docker/engine';
import { gpuDeviceRequest, gpuSupportFromInfo, isGpuRefusal, noNvidiaRuntimeMessage } from '../../../src/docker/gpu';
import { retarget, splitReference } from '../../../src/docker/push';

const labels = (mode: string, framework = 'sklearn', format = 'joblib') => `FROM python:3.11-slim
ENV MODEL_PATH=/models/model.bin
LABEL org.opencontainers.image.title="iris" org.opencontainers.image.version="0.1.0" io.modelship.model.path="models/model.bin" io.modelship.model.format="${format}" io.modelship.model.framework="${framework}" io.modelship.model.mode="${mode}" io.modelship.port="8080" io.modelship.image="iris:0.1.0-abcdef12"
`;

test('run request: loopback port, labels, no GPU, no mount in bake mode', () => {
  const req = runRequest({ projectDir: '/work/iris', target: readShipTarget(labels('bake')) });
  assert.equal(req.Image, 'iris:0.1.0-abcdef12');
  assert.deepEqual(req.ExposedPorts, { '8080/tcp': {} });
  assert.deepEqual(req.HostConfig?.PortBindings, { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  assert.equal(req.HostConfig?.Binds, undefined);
  assert.equal(req.HostConfig?.DeviceRequests, undefined);
  assert.equal(req.HostConfig?.ShmSize, undefined);
  assert.equal(req.Labels?.['io.modelship.project.path'], '/work/iris');
  assert.equal(req.Labels?.['io.modelship.gpu'], 'none');
  assert.match(req.name!, /^modelship-iris-[0-9a-f]{6}$/);
});

test('run request: mount mode binds the model read-only where MODEL_PATH points; torch gets /dev/shm; GPUs when asked', () => {
  const req = runRequest({ projectDir: '/work/iris', target: readShipTarget(labels('mount', 'pytorch', 'torchscript')), hostPort: 9000, gpus: 2, env: { LOG_LEVEL: 'debug' } });
  assert.deepEqual(req.HostConfig?.Binds, ['/work/iris/models/model.bin:/models/model.bin:ro']);
  assert.equal(req.HostConfig?.ShmSize, 1024 * 1024 * 1024);
  assert.deepEqual(req.HostConfig?.PortBindings, { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '9000' }] });
  assert.deepEqual(req.HostConfig?.DeviceRequests, [{ Driver: '', Count: 2, DeviceIDs: [], Capabilities: [['gpu']], Options: {} }]);
  assert.deepEqual(req.Env, ['LOG_LEVEL=debug']);
  assert.equal(req.Labels?.['io.modelship.gpu'], '2');
  assert.equal(gpuDeviceRequest('all').Count, -1);
});

test('container summaries: one binding per port, the serving URL, the GPU label', () => {
  const summary = toContainerSummary({
    Id: 'abc123def4567890',
    Names: ['/modelship-iris-123456'],
    Image: 'iris:1',
    State: 'running',
    Status: 'Up 2 minutes (healthy)',
    Labels: { 'io.modelship.gpu': 'all', 'io.modelship.name': 'iris', 'io.modelship.project.path': '/p' },
    Ports: [
      { PrivatePort: 8080, PublicPort: 49153, IP: '127.0.0.1', Type: 'tcp' },
      { PrivatePort: 8080, PublicPort: 49153, IP: '::1', Type: 'tcp' },
      { PrivatePort: 9000, Type: 'tcp' },
    ],
  }, 8080);
  assert.deepEqual(summary, {
    id: 'abc123def4567890', name: 'modelship-iris-123456', image: 'iris:1', state: 'running', status: 'Up 2 minutes (healthy)',
    ports: [{ container: 8080, host: 49153, hostIp: '127.0.0.1' }], gpu: true, serviceName: 'iris', projectPath: '/p', url: 'http://127.0.0.1:49153',
  });
  assert.equal(toContainerSummary({ Id: 'x', Ports: [{ PrivatePort: 8080, PublicPort: 1, IP: '0.0.0.0' }] }).url, 'http://127.0.0.1:1');
  assert.equal(toContainerSummary({ Id: 'x' }).url, undefined);
});

test('log frames: stdout and stderr told apart, a split frame kept for the next chunk', () => {
  const frame = (stream: number, text: string) => {
    const body = Buffer.from(text);
    const head = Buffer.alloc(8);
    head[0] = stream;
    head.writeUInt32BE(body.length, 4);
    return Buffer.concat([head, body]);
  };
  const all = Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'partial')]);
  const { frames, rest } = demuxFrames(all.subarray(0, all.length - 3));
  assert.deepEqual(frames, [{ stream: 'stdout', text: 'out\n' }, { stream: 'stderr', text: 'err\n' }]);
  assert.equal(rest.length, 8 + 'partial'.length - 3);
});

test('API version: the engine\'s when older than ours, ours when newer, refused below 1.40', () => {
  assert.equal(negotiateApiVersion({ ApiVersion: '1.41' }, 'x'), '1.41');
  assert.equal(negotiateApiVersion({ ApiVersion: '1.51' }, 'x'), '1.47');
  assert.throws(() => negotiateApiVersion({ ApiVersion: '1.39' }, 'unix:///s'), /unix:\/\/\/s speaks Docker API 1.39; Modelship needs 1.40/);
});

test('GPU support from /info: runtimes and CDI devices; refusals recognised', () => {
  assert.equal(gpuSupportFromInfo({ Runtimes: { runc: {}, 'io.containerd.runc.v2': {} } }).nvidia, false);
  assert.match(gpuSupportFromInfo({ Runtimes: { runc: {} } }).summary, /no NVIDIA runtime \(runtimes: runc\)/);
  assert.equal(gpuSupportFromInfo({ Runtimes: { runc: {}, nvidia: {} } }).nvidia, true);
  assert.equal(gpuSupportFromInfo({ Runtimes: { runc: {} }, DiscoveredDevices: [{ Source: 'cdi', ID: 'nvidia.com/gpu=0' }] }).nvidia, true);
  assert.ok(isGpuRefusal('could not select device driver "" with capabilities: [[gpu]]'));
  assert.ok(isGpuRefusal('OCI runtime create failed: nvidia-container-cli: initialization error'));
  assert.ok(!isGpuRefusal('port is already allocated'));
  const { message, hint } = noNvidiaRuntimeMessage(gpuSupportFromInfo({ Runtimes: { runc: {} } }), 'unix:///var/run/docker.sock');
  assert.equal(message, 'The Docker engine at unix:///var/run/docker.sock has no NVIDIA runtime (runtimes: runc), so it cannot give the container a GPU.');
  assert.match(hint, /nvidia-ctk runtime configure/);
});

test('references: tags split past a registry port; --to re-homes the repository', () => {
  assert.deepEqual(splitReference('127.0.0.1:5000/a/iris:1.0'), { repository: '127.0.0.1:5000/a/iris', tag: '1.0' });
  assert.deepEqual(splitReference('127.0.0.1:5000/iris'), { repository: '127.0.0.1:5000/iris', tag: 'latest' });
  assert.equal(retarget('iris:0.1.0-abc', '127.0.0.1:5000/team/'), '127.0.0.1:5000/team/iris:0.1.0-abc');
  assert.equal(retarget('ghcr.io/old/iris:2', 'registry.local'), 'registry.local/iris:2');
});

test('TLS failures are told apart from an engine that is not there', () => {
  assert.ok(isTlsError(Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })));
  assert.ok(isTlsError(Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' })));
  assert.ok(isTlsError(Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' })));
  assert.ok(!isTlsError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2376'), { code: 'ECONNREFUSED' })));
  assert.ok(!isTlsError(Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' })));
});
