/**
 * What the "Images & Containers" view shows, as plain data: the workspace's projects whose
 * Dockerfile Modelship generated, each with its image as the engine has it (or not yet built) and
 * the containers Modelship started for it. Built by imagesSnapshot.ts (in the engine bundle),
 * rendered by imagesTreeProvider.ts. Invariants: no vscode or dockerode types; paths are absolute
 * local paths (engine commands need local files); timestamps are ISO strings.
 */
import type { ContainerSummary } from '../../docker/container';
import type { ImageSummary } from '../../docker/images';

export type { ContainerSummary };

/** The image a project's Dockerfile builds, as the engine has it. */
/** What the engine knows of a project's image. */
export type ImageInfo = ImageSummary;

/** One project: a folder holding a Dockerfile Modelship generated. */
export interface ImageProject {
  /** Absolute path of the project (the build context). */
  projectDir: string;
  /** Absolute path of its Dockerfile. */
  dockerfile: string;
  /** The workspace-relative path of the project ('' for a folder's root), for labels. */
  relativeDir: string;
  /** The image reference the Dockerfile builds (`iris:0.1.0-8755e46a`). */
  imageRef: string;
  /** The service name (the container's name is derived from it). */
  serviceName: string;
  /** The port the server listens on inside the container. */
  port: number;
  /** Whether the Dockerfile builds a GPU (CUDA) image. */
  gpu: boolean;
  /** Undefined until the image is built (or when the engine could not be asked). */
  image?: ImageInfo;
  containers: ContainerSummary[];
}

/** Whether the engine answered the last time the extension asked. */
export type EngineState = 'unknown' | 'reachable' | 'unreachable' | 'untrusted';

export interface ImagesSnapshot {
  engine: EngineState;
  /** Why the engine could not be reached (with its hint), when it could not. */
  message?: string;
  projects: ImageProject[];
}

/** A node of the view: a project's image, or one of its containers. */
export type ImagesNode =
  | { kind: 'image'; project: ImageProject }
  | { kind: 'container'; project: ImageProject; container: ContainerSummary };

/** The commands that talk to the engine (each `modelship.<name>`); all need a trusted workspace. */
export const ENGINE_COMMAND_TITLES = {
  buildImage: 'Build Image',
  runContainer: 'Run Container',
  smokeTest: 'Smoke Test',
  showContainerLogs: 'Show Container Logs',
  stopContainer: 'Stop Container',
  pushImage: 'Push Image',
  openContainer: 'Open in Browser',
} as const;

export type EngineCommandName = keyof typeof ENGINE_COMMAND_TITLES;
