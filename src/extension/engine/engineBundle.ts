/**
 * Everything that talks to a container engine, bundled apart as dist/engine.js (dockerode, the
 * BuildKit session, the build context packer) and loaded by engineLoader.ts on the first engine
 * command or the first look at the Images & Containers view, never at activation. The command
 * flows live here too, so that extension.js stays small.
 */
import type { EngineCommandName } from './imagesModel';
import { buildImageCommand } from './engineBuild';
import { openContainerCommand, runContainerCommand, showContainerLogsCommand, smokeTestCommand, stopContainerCommand } from './containersCommands';
import type { EngineSession } from './engineSession';
import { pushImageCommand } from './imagesPush';

export { connectEngine, type Engine } from '../../docker/engine';
export { buildImage } from '../../docker/build';
export { listModelContainers, readGpuSupport, startModelContainer, stopAndRemove, waitForReady } from '../../docker/container';
export { readLogs } from '../../docker/containerLogs';
export { findSavedSample, runSmokeTest, sampleFromServer } from '../../docker/smokeTest';
export { pushImage, retarget, tagImage } from '../../docker/push';
export { CONTAINER_LABELS, readShipTarget } from '../../core/ship';
export { EngineSession } from './engineSession';
export { readImagesSnapshot } from './imagesSnapshot';

/** The flow behind each engine command; each returns what it did (tests assert on it). */
export const ENGINE_COMMANDS: Record<EngineCommandName, (session: EngineSession, arg: unknown) => Promise<unknown>> = {
  buildImage: buildImageCommand,
  runContainer: runContainerCommand,
  smokeTest: smokeTestCommand,
  showContainerLogs: showContainerLogsCommand,
  stopContainer: stopContainerCommand,
  pushImage: pushImageCommand,
  openContainer: openContainerCommand,
};
