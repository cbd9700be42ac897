/**
 * What the engine knows of an image, by reference: raw inspect record in, plain ImageSummary out,
 * or undefined when the engine has no such image.
 */
import { engineStatus, type Engine } from './engine';

/** An image as the views and the CLI show it. */
export interface ImageSummary {
  /** `sha256:...`. */
  id: string;
  sizeBytes: number;
  /** When the image was built (ISO 8601). */
  created: string;
  /** `repo@sha256:…` for each registry the engine pushed this image to or pulled it from. */
  repoDigests: string[];
}

/** The `/images/{name}/json` fields read here. */
interface ImageRecord {
  Id?: unknown;
  Size?: unknown;
  Created?: unknown;
  RepoDigests?: unknown;
}

export function toImageSummary(record: ImageRecord): ImageSummary | undefined {
  if (typeof record.Id !== 'string') return undefined;
  return {
    id: record.Id,
    sizeBytes: typeof record.Size === 'number' ? record.Size : 0,
    created: typeof record.Created === 'string' ? record.Created : new Date(0).toISOString(),
    repoDigests: Array.isArray(record.RepoDigests) ? record.RepoDigests.filter((d): d is string => typeof d === 'string') : [],
  };
}

export async function inspectImage(engine: Engine, ref: string): Promise<ImageSummary | undefined> {
  try {
    return toImageSummary((await engine.api.getImage(ref).inspect()) as ImageRecord);
  } catch (error) {
    if (engineStatus(error) === 404) return undefined;
    throw error;
  }
}
