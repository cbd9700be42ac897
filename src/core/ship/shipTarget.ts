/**
 * What `build`, `run`, `smoke`, `stop` and `push` act on in a workspace, read from the generated
 * Dockerfile's labels and ENV: the image reference (the same one the manifests name), the served
 * model and how it reaches the container, and the port. Plain data; paths are project-relative POSIX.
 */
import { DockerfileParser } from 'dockerfile-ast';
import { ModelshipError } from '../errors';
import { IMAGE_LABELS } from '../scaffold/dockerfile/labels';
import { LAYOUT } from '../scaffold/layout';

/** The image and model a workspace ships, as its Dockerfile declares them. */
export interface ShipTarget {
  /** Project-relative path of the Dockerfile. */
  dockerfile: string;
  /** The image reference to tag and run, e.g. `iris:0.1.0-8755e46a`. */
  imageRef: string;
  /** The service name (OCI title label). */
  name: string;
  version?: string;
  model?: {
    /** Project-relative path of the model file or folder. */
    path: string;
    format?: string;
    framework?: string;
    sha256?: string;
    /** `bake`: copied into the image; `mount`: bind-mounted read-only at `containerPath` when run locally. */
    mode: 'bake' | 'mount';
    /** MODEL_PATH inside the container. */
    containerPath?: string;
  };
  /** The port the server listens on inside the container. */
  port: number;
  /** True when the Dockerfile carries Modelship's labels (generated), false for a hand-written one. */
  generated: boolean;
}

/** The labels and ENV values of the last stage, later instructions winning, as Docker applies them. */
function lastStageProperties(text: string): { labels: Map<string, string>; env: Map<string, string>; exposed: number[] } {
  const labels = new Map<string, string>();
  const env = new Map<string, string>();
  const exposed: number[] = [];
  for (const ins of DockerfileParser.parse(text).getInstructions()) {
    const keyword = ins.getKeyword().toUpperCase();
    if (keyword === 'FROM') {
      env.clear();
      exposed.length = 0;
      continue;
    }
    if (keyword === 'EXPOSE') {
      for (const arg of ins.getArguments()) {
        const port = Number.parseInt(arg.getValue(), 10);
        if (Number.isInteger(port)) exposed.push(port);
      }
      continue;
    }
    if (keyword !== 'LABEL' && keyword !== 'ENV') continue;
    const target = keyword === 'LABEL' ? labels : env;
    for (const prop of (ins as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties()) {
      target.set(prop.getName(), prop.getValue() ?? '');
    }
  }
  return { labels, env, exposed };
}

/**
 * The ship target of the Dockerfile `text` at `dockerfile`. A Dockerfile Modelship did not write
 * needs `imageRef` from the caller (`--tag`); without one this throws saying so.
 */
export function readShipTarget(text: string, dockerfile: string = LAYOUT.dockerfile, imageRef?: string): ShipTarget {
  const { labels, env, exposed } = lastStageProperties(text);
  const labelled = labels.get(IMAGE_LABELS.image);
  const title = labels.get(IMAGE_LABELS.title);
  const version = labels.get(IMAGE_LABELS.version);
  const sha256 = labels.get(IMAGE_LABELS.modelSha256);
  const modelPath = labels.get(IMAGE_LABELS.modelPath);
  const generated = modelPath !== undefined;
  // Dockerfiles generated before the image label existed: rebuild the reference the scaffold used.
  const derived = title && version ? `${title}:${sha256 ? `${version}-${sha256.slice(0, 8)}` : version}` : undefined;
  const ref = imageRef ?? labelled ?? derived;
  if (!ref) {
    throw new ModelshipError(
      'NO_IMAGE_REF',
      `${dockerfile} does not say which image it builds (no ${IMAGE_LABELS.image} label)`,
      'Pass --tag NAME:TAG, or run `modelship containerize` to generate a Dockerfile that names it.',
    );
  }
  const portText = labels.get(IMAGE_LABELS.port) ?? env.get('PORT');
  const port = portText && /^\d+$/.test(portText) ? Number(portText) : exposed[0] ?? 8080;
  const mode = labels.get(IMAGE_LABELS.modelMode) === 'mount' ? 'mount' : 'bake';
  const format = labels.get(IMAGE_LABELS.modelFormat);
  const framework = labels.get(IMAGE_LABELS.modelFramework);
  const containerPath = env.get('MODEL_PATH');
  return {
    dockerfile,
    imageRef: ref,
    name: title ?? ref.replace(/^.*\//, '').replace(/[:@].*$/, ''),
    ...(version ? { version } : {}),
    ...(modelPath !== undefined
      ? { model: { path: modelPath, mode, ...(format ? { format } : {}), ...(framework ? { framework } : {}), ...(sha256 ? { sha256 } : {}), ...(containerPath ? { containerPath } : {}) } }
      : {}),
    port,
    generated,
  };
}
