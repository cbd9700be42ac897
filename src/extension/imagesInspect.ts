/**
 * The one engine read src/docker has no function for yet: what the engine knows of an image
 * (id, size, when it was built), by reference, or undefined when it has no such image. Kept here,
 * raw record in and plain ImageInfo out (STYLE.md pattern 14), until src/docker grows an images
 * module; then this file goes. Part of the engine bundle.
 */
import { engineStatus, type Engine } from '../docker/engine';
import type { ImageInfo } from './imagesModel';

/** The `/images/{name}/json` fields read here. */
interface ImageRecord {
  Id?: unknown;
  Size?: unknown;
  Created?: unknown;
}

export function toImageInfo(record: ImageRecord): ImageInfo | undefined {
  if (typeof record.Id !== 'string') return undefined;
  return {
    id: record.Id,
    sizeBytes: typeof record.Size === 'number' ? record.Size : 0,
    created: typeof record.Created === 'string' ? record.Created : new Date(0).toISOString(),
  };
}

export async function inspectImage(engine: Engine, ref: string): Promise<ImageInfo | undefined> {
  try {
    return toImageInfo((await engine.api.getImage(ref).inspect()) as ImageRecord);
  } catch (error) {
    if (engineStatus(error) === 404) return undefined;
    throw error;
  }
}
