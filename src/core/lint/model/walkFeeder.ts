/**
 * Feeds one pickle stream to the two readings a safety scan needs: joblib.load's (which steps
 * over the raw arrays joblib writes inline and walks concatenated pickles) and, from joblib's first
 * inline array on, plain pickle.load's (which reads those array bytes as opcodes; a payload hidden
 * there runs when someone loads the file with pickle.load). The second reading usually dies within
 * a byte, at the array's first byte that is no opcode.
 */
import { PickleWalker, type PickleWalk } from '../../pickle/pickleWalker';
import type { PickleGlobal } from '../../pickle/pickleMachine';
import type { ChunkSink } from './decompressInto';

export class WalkFeeder implements ChunkSink {
  private readonly main: PickleWalker;
  private plain: PickleWalker | undefined;
  /** Stream offset of the next byte to write. */
  private pos = 0;

  constructor(onGlobal: (g: PickleGlobal) => void) {
    this.main = new PickleWalker({ concatenated: true, strictNames: false, forkAtJoblib: true, onGlobal });
  }

  get done(): boolean {
    return this.main.done && (!this.plain || this.plain.done);
  }

  /** The stream offset the next bytes must start at: past a payload, unless the plain reading still needs every byte. */
  get needOffset(): number {
    if (this.plain && !this.plain.done) return this.pos;
    return this.main.done ? this.pos : Math.max(this.pos, this.main.needOffset);
  }

  /** Bytes buffered inside the walkers between writes (the carried opcode starts). */
  get peakCarry(): number {
    return Math.max(this.main.peakCarry, this.plain?.peakCarry ?? 0);
  }

  /** Moves to `offset` (at most `needOffset`) without the bytes in between. */
  seek(offset: number): void {
    if (offset <= this.pos || offset > this.needOffset) return;
    this.main.seek(offset);
    this.pos = offset;
  }

  write(chunk: Uint8Array): void {
    const start = this.pos;
    this.pos += chunk.length;
    if (!this.main.done) this.main.write(chunk);
    const fork = this.main.takeFork();
    if (fork) {
      this.plain = fork.walker;
      this.plain.write(chunk.subarray(Math.max(0, fork.offset - start)));
    } else if (this.plain && !this.plain.done) {
      this.plain.write(chunk);
    }
  }

  /** The joblib-aware walk (the plain reading only contributes globals). */
  end(): PickleWalk {
    this.plain?.end();
    return this.main.end();
  }

  /** Stream bytes written or stepped over so far. */
  get offset(): number {
    return this.pos;
  }
}
