// Image size: on the same base, the layers the generated Dockerfile adds against those the seeds'
// naive Dockerfile (`COPY . /app`, shared/seeds/000_9143087e228883e5.txt) adds, for a sample
// project holding a 200 MB dataset folder. Needs the engine and base image (npm run setup:engine).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, openSync, writeSync, closeSync, writeFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import testInfra from '../test/helpers/testInfra.js';

const BASE = testInfra.TEST_BASE_IMAGE;

const NAIVE_DOCKERFILE = `# The seeds' Dockerfile, on the same base as the generated one.
FROM ${BASE}
COPY . /app
WORKDIR /app
RUN pip install fastapi uvicorn scikit-learn numpy
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "80"]
`;

const docker = (...args) => execFileSync('docker', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trim();
const sizeOf = (image) => Number(docker('image', 'inspect', image, '--format', '{{.Size}}'));

/** 200 MB of incompressible rows, as a dataset folder would hold. */
function writeDataset(dir, megabytes) {
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, 'train.csv'), 'w');
  for (let i = 0; i < megabytes; i++) writeSync(fd, randomBytes(1024 * 1024).toString('base64').slice(0, 1024 * 1024));
  closeSync(fd);
}

export async function benchImageSize() {
  const probe = spawnSync('docker', ['image', 'inspect', BASE], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { skipped: `no Docker engine with the ${BASE} test base image (run npm run setup:engine as root)` };
  const work = mkdtempSync(join(tmpdir(), 'ms-bench-image-'));
  const project = join(work, 'iris-sklearn');
  cpSync(resolve('examples/iris-sklearn'), project, { recursive: true });
  writeDataset(join(project, 'data'), 200);
  const provides = join(work, 'provides.txt');
  writeFileSync(provides, docker('run', '--rm', '--network', 'none', BASE, 'cat', '/etc/modelship-provides.txt'));
  execFileSync(process.execPath, [resolve('dist/cli.js'), 'containerize', project, '--only', 'dockerfile,app', '--no-pip-secrets', '--base-image', BASE, '--base-provides', `@${provides}`], { stdio: 'ignore' });
  const naiveDir = join(work, 'naive');
  cpSync(project, naiveDir, { recursive: true, filter: (src) => !/(Dockerfile|\.dockerignore|serving)$/.test(src) });
  writeFileSync(join(naiveDir, 'Dockerfile'), NAIVE_DOCKERFILE);
  const tags = ['modelship-bench/generated:1', 'modelship-bench/naive:1'];
  try {
    docker('build', '--network', 'none', '-q', '-t', tags[0], project);
    docker('build', '--network', 'none', '-q', '-t', tags[1], naiveDir);
    const base = sizeOf(BASE);
    const generatedAdds = sizeOf(tags[0]) - base;
    const naiveAdds = sizeOf(tags[1]) - base;
    return { baseBytes: base, generatedAddsBytes: generatedAdds, naiveAddsBytes: naiveAdds, ratio: generatedAdds / naiveAdds };
  } finally {
    spawnSync('docker', ['image', 'rm', '-f', ...tags], { stdio: 'ignore' });
    rmSync(work, { recursive: true, force: true });
  }
}

export function printImageSize(r) {
  if (r.skipped) {
    console.log(`image size: skipped: ${r.skipped}`);
    return;
  }
  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
  console.log(`image size (sample project with a 200 MB data/ folder, base ${mb(r.baseBytes)})`);
  console.log(`  layers added by the generated Dockerfile: ${mb(r.generatedAddsBytes)}; by the seeds' COPY . /app Dockerfile: ${mb(r.naiveAddsBytes)}`);
  console.log(`  ratio: ${(100 * r.ratio).toFixed(1)}%  (target <= 25%)`);
}
