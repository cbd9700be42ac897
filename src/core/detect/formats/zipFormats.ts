/**
 * Zip-based formats, told apart by member names: PyTorch checkpoints (`<archive>/data.pkl` with
 * `version` or `data/`), TorchScript (`code/`, `constants.pkl`), Keras 3 `.keras` files
 * (`metadata.json`, `config.json`, `model.weights.h5`) and NumPy `.npz` (only `.npy` members).
 */
import { readCentralDirectory } from '../../zip/centralDirectory';
import { isZip, localMembers } from '../../zip/localHeaders';
import { HEAD_BYTES, READ_BUDGET, type SniffContext, type SniffHit } from './sniffContext';

async function listMembers(ctx: SniffContext): Promise<{ names: string[]; complete: boolean }> {
  const local = localMembers(ctx.head);
  // A file that fits in the head is read whole from it; a larger one spends the rest of the budget on its tail.
  const window = ctx.size <= HEAD_BYTES ? ctx.size : Math.min(ctx.size - HEAD_BYTES, READ_BUDGET - HEAD_BYTES);
  const read = (offset: number, length: number): Promise<Uint8Array> =>
    offset + length <= ctx.head.length ? Promise.resolve(ctx.head.subarray(offset, offset + length)) : ctx.read(offset, length);
  const listing = await readCentralDirectory(read, ctx.size, { window });
  const central = listing?.entries ?? [];
  const names = [...new Set([...local.map((m) => m.name), ...central.map((m) => m.name)])];
  return { names, complete: listing?.complete ?? false };
}

/** The member names with their common `<archive>/` prefix removed, as torch.load does. */
function stripArchivePrefix(names: string[]): string[] {
  return names.map((n) => {
    const slash = n.indexOf('/');
    return slash >= 0 ? n.slice(slash + 1) : n;
  });
}

function preview(names: string[]): string {
  const shown = names.slice(0, 4).join(', ');
  return names.length > 4 ? `${shown}, … (${names.length} seen)` : shown;
}

export async function sniffZip(ctx: SniffContext): Promise<SniffHit | undefined> {
  if (!isZip(ctx.head)) return undefined;
  const { names, complete } = await listMembers(ctx);
  if (names.length === 0) return undefined;
  const inner = stripArchivePrefix(names);
  const details = { members: names.slice(0, 32) };
  const has = (pred: (n: string) => boolean): boolean => inner.some(pred);

  const torchScript = has((n) => n.startsWith('code/') || n === 'constants.pkl' || n.startsWith('constants/'));
  const torchPickle = has((n) => n === 'data.pkl');
  if (torchPickle && torchScript) {
    return { format: 'torchscript', framework: 'pytorch', evidence: `TorchScript zip: ${preview(names)}`, details };
  }
  if (torchPickle && (has((n) => n === 'version' || n === '.data/version') || has((n) => n.startsWith('data/')) || has((n) => n === 'byteorder'))) {
    return { format: 'pytorch', framework: 'pytorch', evidence: `torch.save zip: ${preview(names)}`, details };
  }
  // Only the first member may be visible in a huge archive whose directory lies beyond the window.
  if (torchPickle && !complete && names.length <= 2) {
    return { format: 'pytorch', framework: 'pytorch', evidence: `torch.save zip (first member ${names[0]})`, details };
  }
  const top = new Set(names);
  if (top.has('metadata.json') && top.has('config.json') && (top.has('model.weights.h5') || top.has('model.weights.npz'))) {
    return { format: 'keras', framework: 'keras', evidence: `Keras 3 archive: ${preview(names)}`, details };
  }
  const files = names.filter((n) => !n.endsWith('/'));
  if (files.length > 0 && files.every((n) => n.endsWith('.npy'))) {
    return { format: 'numpy', framework: 'numpy', evidence: `NumPy .npz archive of ${preview(files)}`, details };
  }
  return undefined;
}
