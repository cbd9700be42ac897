/**
 * The pickle opcode table (protocols 0-5), after CPython's Lib/pickletools.py.
 * Each opcode names how its argument is encoded and what it does to the stack, which is all a
 * static walker needs: nothing here ever builds a Python object.
 */

/** How an opcode's inline argument is encoded in the byte stream. */
export type ArgKind =
  | 'none'
  | 'uint1'
  | 'uint2'
  | 'int4'
  | 'uint4'
  | 'uint8'
  | 'float8'
  | 'long1'
  | 'long4'
  | 'string1'
  | 'string4'
  | 'bytes1'
  | 'bytes4'
  | 'bytes8'
  | 'unicode1'
  | 'unicode4'
  | 'unicode8'
  | 'line'
  | 'linePair';

/** What the opcode does, as far as a symbolic stack cares. */
export type Effect =
  | 'mark'
  | 'stop'
  | 'pop'
  | 'popMark'
  | 'dup'
  | 'pushOther'
  | 'pushInt'
  | 'pushString'
  | 'pushQuotedString'
  | 'pushBytes'
  | 'global'
  | 'inst'
  | 'stackGlobal'
  | 'get'
  | 'put'
  | 'memoize'
  | 'proto'
  | 'frame'
  | 'ext'
  | 'reduce'
  | 'build'
  | 'newobj'
  | 'newobjEx'
  | 'obj'
  | 'persid'
  | 'binpersid'
  | 'popMarkPush'
  | 'popMarkOnly'
  | 'append'
  | 'setitem'
  | 'tuple1'
  | 'tuple2'
  | 'tuple3'
  | 'readonlyBuffer';

export interface Opcode {
  name: string;
  arg: ArgKind;
  effect: Effect;
  /** The lowest protocol that defines it. */
  proto: number;
}

const table: [string, string, ArgKind, Effect, number][] = [
  ['(', 'MARK', 'none', 'mark', 0],
  ['.', 'STOP', 'none', 'stop', 0],
  ['0', 'POP', 'none', 'pop', 0],
  ['1', 'POP_MARK', 'none', 'popMark', 1],
  ['2', 'DUP', 'none', 'dup', 0],
  ['F', 'FLOAT', 'line', 'pushOther', 0],
  ['I', 'INT', 'line', 'pushInt', 0],
  ['J', 'BININT', 'int4', 'pushInt', 1],
  ['K', 'BININT1', 'uint1', 'pushInt', 1],
  ['L', 'LONG', 'line', 'pushInt', 0],
  ['M', 'BININT2', 'uint2', 'pushInt', 1],
  ['N', 'NONE', 'none', 'pushOther', 0],
  ['P', 'PERSID', 'line', 'persid', 0],
  ['Q', 'BINPERSID', 'none', 'binpersid', 1],
  ['R', 'REDUCE', 'none', 'reduce', 0],
  ['S', 'STRING', 'line', 'pushQuotedString', 0],
  ['T', 'BINSTRING', 'string4', 'pushString', 1],
  ['U', 'SHORT_BINSTRING', 'string1', 'pushString', 1],
  ['V', 'UNICODE', 'line', 'pushString', 0],
  ['X', 'BINUNICODE', 'unicode4', 'pushString', 1],
  ['a', 'APPEND', 'none', 'append', 0],
  ['b', 'BUILD', 'none', 'build', 0],
  ['c', 'GLOBAL', 'linePair', 'global', 0],
  ['d', 'DICT', 'none', 'popMarkPush', 0],
  ['}', 'EMPTY_DICT', 'none', 'pushOther', 1],
  ['e', 'APPENDS', 'none', 'popMarkOnly', 1],
  ['g', 'GET', 'line', 'get', 0],
  ['h', 'BINGET', 'uint1', 'get', 1],
  ['i', 'INST', 'linePair', 'inst', 0],
  ['j', 'LONG_BINGET', 'uint4', 'get', 1],
  ['l', 'LIST', 'none', 'popMarkPush', 0],
  [']', 'EMPTY_LIST', 'none', 'pushOther', 1],
  ['o', 'OBJ', 'none', 'obj', 1],
  ['p', 'PUT', 'line', 'put', 0],
  ['q', 'BINPUT', 'uint1', 'put', 1],
  ['r', 'LONG_BINPUT', 'uint4', 'put', 1],
  ['s', 'SETITEM', 'none', 'setitem', 0],
  ['t', 'TUPLE', 'none', 'popMarkPush', 0],
  [')', 'EMPTY_TUPLE', 'none', 'pushOther', 1],
  ['u', 'SETITEMS', 'none', 'popMarkOnly', 1],
  ['G', 'BINFLOAT', 'float8', 'pushOther', 1],
  ['\x80', 'PROTO', 'uint1', 'proto', 2],
  ['\x81', 'NEWOBJ', 'none', 'newobj', 2],
  ['\x82', 'EXT1', 'uint1', 'ext', 2],
  ['\x83', 'EXT2', 'uint2', 'ext', 2],
  ['\x84', 'EXT4', 'int4', 'ext', 2],
  ['\x85', 'TUPLE1', 'none', 'tuple1', 2],
  ['\x86', 'TUPLE2', 'none', 'tuple2', 2],
  ['\x87', 'TUPLE3', 'none', 'tuple3', 2],
  ['\x88', 'NEWTRUE', 'none', 'pushOther', 2],
  ['\x89', 'NEWFALSE', 'none', 'pushOther', 2],
  ['\x8a', 'LONG1', 'long1', 'pushInt', 2],
  ['\x8b', 'LONG4', 'long4', 'pushInt', 2],
  ['B', 'BINBYTES', 'bytes4', 'pushBytes', 3],
  ['C', 'SHORT_BINBYTES', 'bytes1', 'pushBytes', 3],
  ['\x8c', 'SHORT_BINUNICODE', 'unicode1', 'pushString', 4],
  ['\x8d', 'BINUNICODE8', 'unicode8', 'pushString', 4],
  ['\x8e', 'BINBYTES8', 'bytes8', 'pushBytes', 4],
  ['\x8f', 'EMPTY_SET', 'none', 'pushOther', 4],
  ['\x90', 'ADDITEMS', 'none', 'popMarkOnly', 4],
  ['\x91', 'FROZENSET', 'none', 'popMarkPush', 4],
  ['\x92', 'NEWOBJ_EX', 'none', 'newobjEx', 4],
  ['\x93', 'STACK_GLOBAL', 'none', 'stackGlobal', 4],
  ['\x94', 'MEMOIZE', 'none', 'memoize', 4],
  ['\x95', 'FRAME', 'uint8', 'frame', 4],
  ['\x96', 'BYTEARRAY8', 'bytes8', 'pushBytes', 5],
  ['\x97', 'NEXT_BUFFER', 'none', 'pushOther', 5],
  ['\x98', 'READONLY_BUFFER', 'none', 'readonlyBuffer', 5],
];

/** Opcodes indexed by their byte value; undefined for bytes that are no opcode. */
export const OPCODES: readonly (Opcode | undefined)[] = (() => {
  const byByte: (Opcode | undefined)[] = new Array(256).fill(undefined);
  for (const [ch, name, arg, effect, proto] of table) byByte[ch.charCodeAt(0)] = { name, arg, effect, proto };
  return byByte;
})();

/** The highest pickle protocol CPython writes today. */
export const HIGHEST_PROTOCOL = 5;
