/**
 * Pull-based input for the streaming decoders: holds the compressed bytes not yet consumed and
 * pulls more from an async source on demand. It holds only what the current decoding step needs
 * (one lz4 block, one bzip2 block), never the whole input.
 */
export class ByteQueue {
  buf: Uint8Array = new Uint8Array(0);
  /** Index of the first unconsumed byte in `buf`. */
  pos = 0;
  /** The source has no more bytes. */
  ended = false;
  private readonly it: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  get available(): number {
    return this.buf.length - this.pos;
  }

  /** Pulls one more chunk, dropping consumed bytes before `keepFrom` (default: `pos`); false at the end. */
  async more(keepFrom = this.pos): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.it.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const rest = this.buf.subarray(keepFrom);
    const merged = new Uint8Array(rest.length + next.value.length);
    merged.set(rest, 0);
    merged.set(next.value, rest.length);
    this.pos -= keepFrom;
    this.buf = merged;
    return true;
  }

  /** Makes at least `n` unconsumed bytes available; false when the source ends first. */
  async need(n: number): Promise<boolean> {
    while (this.available < n) if (!(await this.more())) return false;
    return true;
  }

  /** Stops the source (closing what it reads from). */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}
