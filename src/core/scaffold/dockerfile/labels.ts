/**
 * The labels every Modelship image carries, so the Docker adapter and the tree view can tell which
 * model an image serves without running it. Standard OCI keys where one exists
 * (https://github.com/opencontainers/image-spec/blob/main/annotations.md), `io.modelship.*` otherwise.
 */
import type { ServingSpec } from '../types';

export const IMAGE_LABELS = {
  title: 'org.opencontainers.image.title',
  version: 'org.opencontainers.image.version',
  description: 'org.opencontainers.image.description',
  baseName: 'org.opencontainers.image.base.name',
  modelPath: 'io.modelship.model.path',
  modelFormat: 'io.modelship.model.format',
  modelFramework: 'io.modelship.model.framework',
  modelSha256: 'io.modelship.model.sha256',
  modelMode: 'io.modelship.model.mode',
  port: 'io.modelship.port',
  /** The reference `modelship build` tags the image with, so build, run and push agree with the manifests. */
  image: 'io.modelship.image',
} as const;

/** Label key/value pairs for an image of `spec` built on `baseImage`, in a fixed order. */
export function imageLabels(spec: ServingSpec, baseImage: string): [string, string][] {
  const where = spec.mode === 'bake' ? 'with the model baked in' : `reading the model from ${spec.model.containerDir}`;
  const labels: [string, string][] = [
    [IMAGE_LABELS.title, spec.name],
    [IMAGE_LABELS.version, spec.version],
    [IMAGE_LABELS.description, `Serves ${spec.model.source} (${spec.model.format}, ${spec.model.framework}) over HTTP, ${where}.`],
    [IMAGE_LABELS.baseName, baseImage],
    [IMAGE_LABELS.modelPath, spec.model.source],
    [IMAGE_LABELS.modelFormat, spec.model.format],
    [IMAGE_LABELS.modelFramework, spec.model.framework],
  ];
  if (spec.model.sha256) labels.push([IMAGE_LABELS.modelSha256, spec.model.sha256]);
  labels.push([IMAGE_LABELS.modelMode, spec.mode], [IMAGE_LABELS.port, String(spec.port)], [IMAGE_LABELS.image, spec.image.ref]);
  return labels;
}
