/**
 * Where the model comes from at run time in `mount` mode, read from `spec.modelUri`:
 *
 * - `pvc://claim/path`: the claim is mounted read-only at the model folder. When the path names a
 *   file (it ends in the model's file name or has an extension), its folder is mounted and the
 *   model keeps that file name; otherwise the path is the folder holding the model. A SavedModel
 *   path names the SavedModel folder itself, which becomes the model folder.
 * - `s3://`, `gs://`, `https://` (and `http://`): an init container runs KServe's storage
 *   initializer (one image for every scheme, the same code KServe runs for `storageUri`, so the
 *   manifests and the InferenceService read a URI the same way) and downloads into an emptyDir.
 *   A single object lands under its own name; a prefix or folder lands with its contents.
 *
 * No URI in mount mode means `pvc://<name>-model/<file>`: a claim the user creates and fills.
 */
import { ModelshipError } from '../../errors';
import type { ServingSpec } from '../types';

/** Downloads `s3://`, `gs://` and `http(s)://` URIs (args: URI, destination folder). */
export const STORAGE_INITIALIZER_IMAGE = 'kserve/storage-initializer:v0.14.1';

export type ModelUriScheme = 'pvc' | 's3' | 'gs' | 'https' | 'http';
const SCHEMES: readonly ModelUriScheme[] = ['pvc', 's3', 'gs', 'https', 'http'];

export interface MountedModel {
  uri: string;
  scheme: ModelUriScheme;
  /** True when no URI was given and the default claim is assumed. */
  defaulted: boolean;
  /** For `pvc://`: the claim and the folder inside it that becomes the model folder. */
  claimName?: string;
  subPath?: string;
  /** Absolute path of the model inside the container (MODEL_PATH). */
  modelPath: string;
}

/** The Secret whose keys become the storage initializer's environment (AWS_*, S3_*, GOOGLE_*). */
export function storageCredentialsSecret(spec: ServingSpec): string {
  return `${spec.name}-model-storage`;
}

export function defaultModelUri(spec: ServingSpec): string {
  return `pvc://${spec.name}-model/${spec.model.fileName}`;
}

function isDirectoryModel(spec: ServingSpec): boolean {
  return spec.model.format === 'savedmodel';
}

/** Where the model is, under `dir`, once the URI's target is mounted or downloaded there. */
function modelPathUnder(spec: ServingSpec, path: string, dir: string): { modelPath: string; folder: string } {
  const segments = path.split('/').filter(Boolean);
  const last = segments[segments.length - 1] ?? '';
  if (isDirectoryModel(spec)) return { modelPath: dir, folder: segments.join('/') };
  const namesFile = !path.endsWith('/') && (last === spec.model.fileName || /\.[A-Za-z0-9]+$/.test(last));
  if (namesFile) return { modelPath: `${dir}/${last}`, folder: segments.slice(0, -1).join('/') };
  return { modelPath: `${dir}/${spec.model.fileName}`, folder: segments.join('/') };
}

/** How the model reaches `dir` (default: the spec's model folder) in mount mode. */
export function mountedModel(spec: ServingSpec, dir: string = spec.model.containerDir): MountedModel {
  const uri = spec.modelUri ?? defaultModelUri(spec);
  const match = /^([a-z0-9]+):\/\/([^/]*)(\/.*)?$/i.exec(uri);
  const scheme = match?.[1]?.toLowerCase() as ModelUriScheme | undefined;
  if (!match || !scheme || !SCHEMES.includes(scheme) || !match[2]) {
    throw new ModelshipError('BAD_MODEL_URI', `cannot mount the model from ${uri}`, 'Use pvc://claim/path, s3://bucket/key, gs://bucket/key or https://host/path.');
  }
  const path = match[3] ?? '/';
  const defaulted = spec.modelUri === undefined;
  if (scheme !== 'pvc') return { uri, scheme, defaulted, modelPath: modelPathUnder(spec, path, dir).modelPath };
  const claimName = match[2];
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(claimName)) {
    throw new ModelshipError('BAD_MODEL_URI', `${claimName} in ${uri} is not a valid PersistentVolumeClaim name`, 'Claim names are lower-case letters, digits, dashes and dots.');
  }
  const { modelPath, folder } = modelPathUnder(spec, path, dir);
  return { uri, scheme, defaulted, claimName, ...(folder ? { subPath: folder } : {}), modelPath };
}
