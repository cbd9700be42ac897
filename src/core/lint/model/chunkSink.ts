/**
 * Where the streaming decoders put decompressed bytes. Its own module so that the decoders and
 * decompressInto.ts, which picks one, can share it without importing each other.
 */

/** Receives decompressed bytes in order; `done` once it wants no more. */
export interface ChunkSink {
  write(chunk: Uint8Array): void;
  readonly done: boolean;
}
