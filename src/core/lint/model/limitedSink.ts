/**
 * The budget one file's safety scan decompresses under: a byte cap per stream, a ratio of output to
 * input per stream (above a floor), and a total for the whole file, which zip-member walks share.
 * LimitedSink sits between a decoder and the walk and stops at the first limit reached.
 *
 * Invariants: never writes more than the budget allows; says which limit stopped it.
 */
import type { ChunkSink } from './chunkSink';

/** What one file's decompression and zip-member walks may still produce, and the limits that sized it. */
export interface FileBudget {
  left: number;
  readonly ratio: number;
  readonly floor: number;
}

/**
 * Stops a decompressing sink at the first limit reached: `max` output bytes ('max'), more than
 * max(floor, ratio × the stream's input so far) ('ratio'), or the file's budget ('file').
 */
export class LimitedSink implements ChunkSink {
  total = 0;
  cut: 'max' | 'ratio' | 'file' | undefined;
  constructor(
    readonly inner: ChunkSink,
    private readonly max: number,
    private readonly budget: FileBudget,
    private readonly consumed: () => number,
  ) {}
  get done(): boolean {
    return this.cut !== undefined || this.inner.done;
  }
  write(chunk: Uint8Array): void {
    const byMax = this.max - this.total;
    const byRatio = Math.max(this.budget.floor, this.budget.ratio * this.consumed()) - this.total;
    const byFile = this.budget.left;
    const room = Math.max(0, Math.min(byMax, byRatio, byFile));
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.total += part.length;
    this.budget.left -= part.length;
    if (part.length > 0) this.inner.write(part);
    if (part.length < chunk.length) this.cut = byMax <= Math.min(byRatio, byFile) ? 'max' : byRatio <= byFile ? 'ratio' : 'file';
  }
}
