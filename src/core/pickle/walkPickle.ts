/**
 * A static walk over pickle opcodes held in memory: it follows a symbolic stack and the memo
 * closely enough to resolve the module and name behind every GLOBAL, INST and STACK_GLOBAL
 * (including strings fetched back from the memo), and it executes nothing. Input may be a prefix
 * of the file; the walk then ends with `truncated` instead of failing. For files too large to hold,
 * feed a PickleWalker chunk by chunk instead (this is that, with one chunk).
 *
 * Invariants: never throws on any input; work is linear in the bytes given; the symbolic stack
 * and memo are capped, so hostile input cannot make it allocate without bound.
 */
import { PickleWalker, type PickleWalk, type WalkOptions } from './pickleWalker';

export type { PickleGlobal } from './pickleMachine';
export type { PickleWalk, WalkOptions } from './pickleWalker';
export { dtypeItemSize } from './joblibArrays';
export { PickleWalker } from './pickleWalker';

/** Walks the opcodes in `bytes` (a whole pickle, or a prefix of one). */
export function walkPickle(bytes: Uint8Array, options: WalkOptions = {}): PickleWalk {
  const walker = new PickleWalker(options);
  walker.write(bytes);
  return walker.end();
}
