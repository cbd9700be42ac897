/**
 * Classifies one file by its bytes: reads the head once, offers it to every format sniffer in
 * order of how cheap and how certain they are, and lets a sniffer read a little more within a
 * hard 64 KiB budget per file. Returns the model, or undefined for a file that is not one; a
 * file whose name promises a model but whose bytes are text or a cut pickle also gets a problem.
 */
import type { WorkspaceReader } from '../workspaceReader';
import type { DetectedModel, Problem } from './types';
import { isModelFileName } from './candidates';
import { textInModelFile } from './formats/textInModelFile';
import { HEAD_BYTES, READ_BUDGET, type SniffContext, type Sniffer } from './formats/sniffContext';
import { sniffCatboost, sniffGguf, sniffHdf5, sniffNpy, sniffSafetensors, sniffTflite } from './formats/binaryFormats';
import { sniffZip } from './formats/zipFormats';
import { sniffPickleFamily } from './formats/pickleFormats';
import { sniffOnnx } from './formats/onnxFormat';
import { sniffLfsPointer, sniffLightgbm, sniffShardIndex, sniffXgboostJson, sniffXgboostUbj } from './formats/textFormats';

/** Magic-number formats first (certain and cheap), then the structural ones. */
const SNIFFERS: Sniffer[] = [
  sniffLfsPointer,
  sniffGguf,
  sniffCatboost,
  sniffNpy,
  sniffTflite,
  sniffHdf5,
  sniffZip,
  sniffShardIndex,
  sniffXgboostJson,
  sniffXgboostUbj,
  sniffLightgbm,
  sniffSafetensors,
  sniffOnnx,
  sniffPickleFamily,
];

export class EmptyFileError extends Error {}

/** Wraps the reader so that the sniffers together never read more than READ_BUDGET bytes of a file. */
function budgetedContext(reader: WorkspaceReader, path: string, size: number, head: Uint8Array): SniffContext {
  let spent = head.length;
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  return {
    path,
    name,
    size,
    head,
    async read(offset, length) {
      const allowed = Math.max(0, Math.min(length, READ_BUDGET - spent, size - offset));
      if (allowed === 0) return new Uint8Array(0);
      spent += allowed;
      return reader.read(path, offset, allowed);
    },
  };
}

/** What one file is: a model (possibly with a problem, such as a pickle cut short), or only a problem, or nothing. */
export interface FileInspection {
  model?: DetectedModel;
  problem?: Problem;
}

/**
 * Inspects `path` (a file of `size` bytes). Throws EmptyFileError for a 0-byte file and lets read
 * errors through, so the caller can report them as problems. A file named like a model that holds
 * text is a problem, never silently dropped.
 */
export async function inspectFile(reader: WorkspaceReader, path: string, size: number): Promise<FileInspection> {
  if (size === 0) throw new EmptyFileError(`${path} is empty`);
  const head = await reader.read(path, 0, Math.min(size, HEAD_BYTES));
  const ctx = budgetedContext(reader, path, size, head);
  for (const sniff of SNIFFERS) {
    const hit = await sniff(ctx);
    if (hit) {
      const model: DetectedModel = { path, format: hit.format, framework: hit.framework, bytes: size, evidence: hit.evidence };
      if (hit.details && Object.keys(hit.details).length > 0) model.details = hit.details;
      return hit.problem ? { model, problem: { path, ...hit.problem } } : { model };
    }
  }
  const problem = isModelFileName(ctx.name) ? textInModelFile(path, head, size) : undefined;
  return problem ? { problem } : {};
}

/** Sniffs `path`: its model, or undefined for a file that is not one (see inspectFile). */
export async function sniffFile(reader: WorkspaceReader, path: string, size: number): Promise<DetectedModel | undefined> {
  return (await inspectFile(reader, path, size)).model;
}
