/**
 * Reads what the Images & Containers view shows: the workspace's Modelship projects (from their
 * Dockerfiles), then, when the engine answers, each project's image and containers. An engine
 * that does not answer is part of the snapshot (the view shows its welcome content), not an error.
 * Part of the engine bundle.
 */
import { listModelContainers } from '../../docker/container';
import type { EngineSession } from './engineSession';
import { relativeDir } from './engineTargets';
import { inspectImage } from '../../docker/images';
import type { ImageProject, ImagesSnapshot } from './imagesModel';

/** `rescan`: look for Dockerfiles again (a poll reuses the last look, for up to 30 s). */
export async function readImagesSnapshot(session: EngineSession, rescan = true): Promise<ImagesSnapshot> {
  const found = await session.shipProjects(rescan);
  const projects: ImageProject[] = found.map((p) => ({
    projectDir: p.dir,
    dockerfile: p.dockerfile.fsPath,
    relativeDir: relativeDir(p),
    imageRef: p.target.imageRef,
    serviceName: p.target.name,
    port: p.target.port,
    gpu: p.gpu,
    containers: [],
  }));
  let engine;
  try {
    engine = await session.engine();
  } catch (error) {
    const hint = (error as { hint?: unknown }).hint;
    return { engine: 'unreachable', message: `${(error as Error).message}${typeof hint === 'string' ? ` ${hint}` : ''}`, projects };
  }
  try {
    await Promise.all(projects.map(async (p) => {
      const [image, containers] = await Promise.all([inspectImage(engine, p.imageRef), listModelContainers(engine, p.projectDir, p.port)]);
      if (image) p.image = image;
      p.containers = containers.sort((a, b) => a.name.localeCompare(b.name));
    }));
  } catch (error) {
    session.failed(error);
    return { engine: 'unreachable', message: (error as Error).message, projects };
  }
  return { engine: 'reachable', projects };
}
