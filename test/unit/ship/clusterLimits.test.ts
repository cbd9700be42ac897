import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeClusterLimits, parseQuantity, readClusterLimits, readShipTarget } from '../../../src/core/ship';
import { runRequest } from '../../../src/docker/container';

test('Kubernetes quantities: binary and decimal suffixes, millicores, plain numbers', () => {
  assert.equal(parseQuantity('601Mi'), 601 * 2 ** 20);
  assert.equal(parseQuantity('1Gi'), 2 ** 30);
  assert.equal(parseQuantity('500M'), 5e8);
  assert.equal(parseQuantity('250m'), 0.25);
  assert.equal(parseQuantity('2'), 2);
  assert.equal(parseQuantity(4), 4);
  assert.equal(parseQuantity('1.5Gi'), 1.5 * 2 ** 30);
  assert.equal(parseQuantity('lots'), undefined);
  assert.equal(parseQuantity(undefined), undefined);
});

const DEPLOYMENT = `apiVersion: v1
kind: ConfigMap
metadata: { name: x }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: iris }
spec:
  template:
    spec:
      containers:
        - name: server
          resources:
            requests: { cpu: 250m, memory: 301Mi }
            limits: { cpu: "2", memory: 601Mi }
          securityContext: { readOnlyRootFilesystem: true, runAsNonRoot: true }
          volumeMounts:
            - { name: tmp, mountPath: /tmp }
            - { name: model, mountPath: /models }
      volumes:
        - name: tmp
          emptyDir: {}
        - name: model
          persistentVolumeClaim: { claimName: models }
`;

test('the first Deployment container: limits, read-only root, emptyDir mounts only', () => {
  const limits = readClusterLimits(DEPLOYMENT);
  assert.deepEqual(limits, { source: 'deploy/k8s/base/deployment.yaml', memoryBytes: 601 * 2 ** 20, memory: '601Mi', nanoCpus: 2e9, cpu: '2', readOnlyRootFilesystem: true, tmpfs: ['/tmp'] });
  assert.equal(describeClusterLimits(limits!), 'memory 601Mi, cpu 2, read-only root, tmpfs /tmp (deploy/k8s/base/deployment.yaml)');
  assert.equal(readClusterLimits('apiVersion: v1\nkind: Service\nmetadata: { name: x }\n'), undefined);
  assert.deepEqual(readClusterLimits('kind: Deployment\nspec: { template: { spec: { containers: [ { name: a } ] } } }\n'), { source: 'deploy/k8s/base/deployment.yaml', readOnlyRootFilesystem: false, tmpfs: [] });
});

test('a run under those limits: memory without extra swap, CPUs, read-only root, tmpfs', () => {
  const target = readShipTarget('FROM python:3.11-slim\nEXPOSE 8080\n', 'Dockerfile', 'iris:1');
  const req = runRequest({ projectDir: '/p', target, limits: readClusterLimits(DEPLOYMENT)! });
  assert.equal(req.HostConfig?.Memory, 601 * 2 ** 20);
  assert.equal(req.HostConfig?.MemorySwap, 601 * 2 ** 20);
  assert.equal(req.HostConfig?.NanoCpus, 2e9);
  assert.equal(req.HostConfig?.ReadonlyRootfs, true);
  assert.deepEqual(req.HostConfig?.Tmpfs, { '/tmp': '' });
  const free = runRequest({ projectDir: '/p', target });
  assert.equal(free.HostConfig?.Memory, undefined);
  assert.equal(free.HostConfig?.ReadonlyRootfs, undefined);
});
