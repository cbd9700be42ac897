/**
 * joblib's inline arrays (joblib/numpy_pickle.py): after a NumpyArrayWrapper's BUILD, joblib.dump
 * writes the array's raw bytes into the pickle stream (or, for an object array, a whole nested
 * pickle). This module works out from the wrapper's state how many bytes that is, so a walk can
 * step over them as joblib.load does.
 */
import type { Value } from './pickleValue';

/** Bytes per item of a numpy dtype string such as `f8`, `<i4`, `|b1`, `U10`, `c16`; undefined if unknown. */
export function dtypeItemSize(descr: string): number | undefined {
  const m = /^[<>|=]?([biufcmMOSUV])(\d*)$/.exec(descr);
  if (!m) return undefined;
  const [, kind, digits] = m;
  if (kind === 'O') return undefined;
  const n = digits ? Number(digits) : kind === 'b' ? 1 : NaN;
  if (!Number.isFinite(n)) return undefined;
  return kind === 'U' ? 4 * n : n;
}

/**
 * How many raw bytes joblib wrote after a NumpyArrayWrapper (joblib/numpy_pickle.py, `write_array`:
 * an optional padding-length byte and that much padding, then the array's bytes), 'nested' for an
 * object array (pickled whole, inline), or undefined when the state is unreadable.
 */
export function joblibPayload(state: { entries: Map<string, Value> }): { bytes: number; padded: boolean } | 'nested' | undefined {
  const shape = state.entries.get('shape');
  const dtype = state.entries.get('dtype');
  if (shape?.t !== 'tuple' || dtype?.t !== 'obj') return undefined;
  const descr = dtype.args.t === 'tuple' ? dtype.args.items[0] : undefined;
  if (descr?.t !== 'str') return undefined;
  if (/^[<>|=]?O\d*$/.test(descr.v)) return 'nested';
  const itemSize = dtypeItemSize(descr.v);
  if (itemSize === undefined) return undefined;
  let count = 1;
  for (const dim of shape.items) {
    if (dim.t !== 'int' || dim.v < 0n) return undefined;
    count *= Number(dim.v);
  }
  const bytes = count * itemSize;
  if (!Number.isSafeInteger(bytes)) return undefined;
  return { bytes, padded: state.entries.get('numpy_array_alignment_bytes')?.t === 'int' };
}
