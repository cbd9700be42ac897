// A tiny containerized project in a temp folder, and a KubeSession fake that implements only what
// the flows call (the rest throws), for the flow tests. Not a test file itself.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { KubeObject, RolloutSnapshot } from '../../../src/core/deploy/records';
import type { KubeSession } from '../../../src/kube';

export const IMAGE = 'iris:0.1.0-abcdef12';

const DOCKERFILE = `FROM python:3.11-slim
LABEL org.opencontainers.image.title="iris" \\
      org.opencontainers.image.version="0.1.0" \\
      io.modelship.model.path="models/model.joblib" \\
      io.modelship.image="${IMAGE}"
`;

export const DEPLOYMENT_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: iris
spec:
  replicas: 1
  selector: { matchLabels: { app: iris } }
  template:
    metadata: { labels: { app: iris } }
    spec:
      containers:
        - { name: server, image: ${IMAGE} }
`;

/** A project with a generated-looking Dockerfile, a base with one Deployment and a staging overlay; `files` adds or replaces files. */
export function makeProject(files: Record<string, string> = {}): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'modelship-flows-'));
  const all: Record<string, string> = {
    Dockerfile: DOCKERFILE,
    'deploy/k8s/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'deploy/k8s/base/deployment.yaml': DEPLOYMENT_YAML,
    'deploy/k8s/overlays/staging/kustomization.yaml': 'resources:\n  - ../../base\n',
    ...files,
  };
  for (const [file, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function snapshotFixture(name: string): RolloutSnapshot {
  return JSON.parse(readFileSync(join(__dirname, '../../fixtures/deploy', `${name}.json`), 'utf8')) as RolloutSnapshot;
}

/** What the fake did, in order: `apply dry-run`, `apply`, `ensureNamespace`, `watch`. */
export interface FakeSession extends KubeSession {
  calls: string[];
}

/**
 * A session on context `lab`, namespace `ns`. Applies return the objects as given (or `applyError`
 * for the dry run); nothing is live; the watch sends `snapshots` in turn, then waits for its signal.
 */
export function fakeSession(options: { snapshots?: RolloutSnapshot[]; applyError?: Error; logs?: string } = {}): FakeSession {
  const calls: string[] = [];
  const unused = (name: string) => () => Promise.reject(new Error(`the flow does not call ${name}`));
  return {
    calls,
    target: { context: 'lab', cluster: 'lab', server: 'https://127.0.0.1:6443', namespace: 'ns', user: 'admin' },
    async applyObjects(objects: readonly KubeObject[], { dryRun }: { dryRun: boolean }) {
      calls.push(dryRun ? 'apply dry-run' : 'apply');
      if (dryRun && options.applyError) throw options.applyError;
      return [...objects];
    },
    async readLive(objects: readonly KubeObject[]) {
      return objects.map(() => undefined);
    },
    async ensureNamespace() {
      calls.push('ensureNamespace');
      return 'created' as const;
    },
    async watchRollout(_name: string, onSnapshot: (s: RolloutSnapshot) => void, signal: AbortSignal) {
      calls.push('watch');
      for (const snapshot of options.snapshots ?? []) onSnapshot(snapshot);
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    },
    async containerLogs() {
      return options.logs ?? '';
    },
    readRolloutSnapshot: unused('readRolloutSnapshot'),
    listByLabels: unused('listByLabels'),
    deleteByLabels: unused('deleteByLabels'),
    rollback: unused('rollback'),
    revisions: unused('revisions'),
  };
}
