/**
 * The `dockerfile` target: `Dockerfile` and `.dockerignore`, planned together so the ignore file
 * re-includes exactly what the Dockerfile copies (see dockerfile/dockerignore.ts for the check).
 */
import type { Generator } from '../generator';
import { LAYOUT } from '../layout';
import { renderDockerignore } from '../dockerfile/dockerignore';
import { planDockerfile } from '../dockerfile/planDockerfile';
import { renderDockerfile } from '../dockerfile/renderDockerfile';

export const generate: Generator = ({ spec, desc }) => {
  const plan = planDockerfile(spec, desc);
  const served = new Set([spec.model.source, ...plan.model.sources]);
  const otherModels = desc.models
    .filter((m) => !served.has(m.path))
    .flatMap((m) => [m.path, ...(m.details?.shards ?? [])])
    .filter((path) => !served.has(path) && path !== '.');
  return [
    {
      path: LAYOUT.dockerfile,
      contents: renderDockerfile(plan),
      target: 'dockerfile',
      purpose: `Multi-stage image for ${spec.image.ref}: ${spec.mode === 'bake' ? 'model baked in as the last layer' : `model mounted at ${spec.model.containerDir}`}, non-root, health-checked.`,
    },
    {
      path: LAYOUT.dockerignore,
      contents: renderDockerignore({
        keep: plan.keep,
        otherModels,
        mountedModel: spec.mode === 'mount' ? plan.model.sources.filter((path) => path !== '.') : [],
        servedModel: spec.model.source,
      }),
      target: 'dockerfile',
      purpose: 'Keeps VCS, environments, caches, datasets, tests and other weights out of the build context.',
    },
  ];
};
