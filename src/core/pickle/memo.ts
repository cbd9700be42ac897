/**
 * The pickle memo: integer keys to stand-in values, with a Map's semantics (get, set, delete,
 * size, copy). Picklers number memo entries 0, 1, 2... (MEMOIZE uses the memo's size), so keys
 * that extend the run so far live in an array, which costs a fraction of a Map entry; any other
 * key (a BINPUT far ahead) goes to a Map. A flood of MEMOIZE was dominated by Map growth.
 *
 * Invariants: behaves exactly as a Map<number, Value> would; memory is one slot per dense key.
 */
import type { Value } from './pickleValue';

export class Memo {
  private dense: (Value | undefined)[] = [];
  private denseCount = 0;
  private sparse: Map<number, Value> | undefined;

  get size(): number {
    return this.denseCount + (this.sparse?.size ?? 0);
  }

  get(key: number): Value | undefined {
    return key >= 0 && key < this.dense.length ? this.dense[key] : this.sparse?.get(key);
  }

  set(key: number, value: Value): void {
    if (key >= 0 && key < this.dense.length) {
      if (this.dense[key] === undefined) this.denseCount++;
      this.dense[key] = value;
    } else if (key === this.dense.length && !this.sparse?.has(key)) {
      // Sparse keys are never below the dense run's end, so the run grows only past them.
      this.dense.push(value);
      this.denseCount++;
    } else {
      (this.sparse ??= new Map()).set(key, value);
    }
  }

  delete(key: number): void {
    if (key >= 0 && key < this.dense.length) {
      if (this.dense[key] !== undefined) this.denseCount--;
      this.dense[key] = undefined;
    } else this.sparse?.delete(key);
  }

  copy(): Memo {
    const out = new Memo();
    out.dense = this.dense.slice();
    out.denseCount = this.denseCount;
    if (this.sparse) out.sparse = new Map(this.sparse);
    return out;
  }
}
