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

  /**
   * Pulls chunks until at least `atLeast` more bytes are held, dropping consumed bytes before
   * `keepFrom` (default: `pos`), and merges them in one copy; false when the source had nothing more.
   * Asking for as many bytes as are already held doubles the buffer, so a decoder that restarts a
   * block on each pull does so only a logarithmic number of times.
   */
  async more(keepFrom = this.pos, atLeast = 1): Promise<boolean> {
    if (this.ended) return false;
    const chunks: Uint8Array[] = [];
    let pulled = 0;
    while (pulled < atLeast) {
      const next = await this.it.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      chunks.push(next.value);
      pulled += next.value.length;
    }
    if (chunks.length === 0) return false;
    const rest = this.buf.subarray(keepFrom);
    const merged = new Uint8Array(rest.length + pulled);
    merged.set(rest, 0);
    let at = rest.length;
    for (const chunk of chunks) {
      merged.set(chunk, at);
      at += chunk.length;
    }
    this.pos -= keepFrom;
    this.buf = merged;
    return true;
  }

  /** Makes at least `n` unconsumed bytes available; false when the source ends first. */
  async need(n: number): Promise<boolean> {
    if (this.available < n) await this.more(this.pos, n - this.available);
    return this.available >= n;
  }

  /** Stops the source (closing what it reads from). */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}
