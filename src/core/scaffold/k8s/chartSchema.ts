/**
 * `values.schema.json`: Helm checks values against it on install, upgrade, lint and template, so
 * a misspelt key or a port given as a string fails before anything reaches the cluster.
 */
type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const nonEmpty: Schema = { type: 'string', minLength: 1 };
const bool: Schema = { type: 'boolean' };
const port: Schema = { type: 'integer', minimum: 1, maximum: 65535 };
const positive: Schema = { type: 'integer', minimum: 1 };
const quantity: Schema = { anyOf: [{ type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$' }, { type: 'number', minimum: 0 }] };
const anyObject: Schema = { type: 'object' };

function object(properties: Record<string, Schema>, required = Object.keys(properties)): Schema {
  return { type: 'object', additionalProperties: false, required, properties };
}

const resourceList = object({ cpu: quantity, memory: quantity });
const resources = object({ requests: resourceList, limits: resourceList });
const probe = object({ periodSeconds: positive, timeoutSeconds: positive, failureThreshold: positive });
const path: Schema = { type: 'string', pattern: '^/' };

export function chartSchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Values of a Modelship serving chart',
    type: 'object',
    additionalProperties: false,
    required: ['image', 'containerPort', 'service', 'paths', 'probes', 'resources', 'gpu', 'model', 'env', 'autoscaling', 'podDisruptionBudget'],
    properties: {
      global: anyObject,
      nameOverride: str,
      fullnameOverride: str,
      image: object({ repository: nonEmpty, tag: { type: 'string', minLength: 1, not: { const: 'latest' } }, pullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] } }),
      imagePullSecrets: { type: 'array', items: object({ name: nonEmpty }) },
      replicaCount: { type: 'integer', minimum: 0 },
      autoscaling: object(
        { enabled: bool, minReplicas: positive, maxReplicas: positive, targetCPUUtilizationPercentage: { type: 'integer', minimum: 1, maximum: 100 } },
        ['enabled'],
      ),
      podDisruptionBudget: object({ enabled: bool, minAvailable: { type: 'integer', minimum: 0 } }, ['enabled']),
      spreadAcrossNodes: bool,
      containerPort: port,
      service: object({ type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] }, port }),
      paths: object({ live: path, ready: path, metrics: path, predict: path }),
      probes: object({ startup: probe, readiness: probe, liveness: probe }),
      progressDeadlineSeconds: positive,
      metrics: object({ scrape: bool }),
      resources,
      gpu: object({ enabled: bool, resource: nonEmpty, count: positive }),
      shm: object({ enabled: bool, sizeLimit: quantity }),
      tmp: object({ sizeLimit: quantity }),
      model: object({
        source: { enum: ['image', 'pvc', 'download'] },
        dir: path,
        pvc: object({ claimName: str, subPath: str }),
        download: object({ uri: str, image: nonEmpty, credentialsSecret: nonEmpty, sizeLimit: quantity, resources }),
      }),
      env: { type: 'object', additionalProperties: { type: 'string' } },
      uid: positive,
      podAnnotations: { type: 'object', additionalProperties: { type: 'string' } },
      nodeSelector: { type: 'object', additionalProperties: { type: 'string' } },
      tolerations: { type: 'array', items: anyObject },
      affinity: anyObject,
    },
    allOf: [
      { if: { properties: { model: { properties: { source: { const: 'pvc' } } } } }, then: { properties: { model: { properties: { pvc: { properties: { claimName: nonEmpty } } } } } } },
      { if: { properties: { model: { properties: { source: { const: 'download' } } } } }, then: { properties: { model: { properties: { download: { properties: { uri: nonEmpty } } } } } } },
    ],
  };
}
