/**
 * A container's logs: Docker's multiplexed frames (stdout and stderr told apart), the last lines
 * of a container that died, and following them while it runs.
 */
import type { Engine } from './engine';

/** Docker's multiplexed log frames (8-byte headers: stream, 0, 0, 0, size); `rest` is an incomplete trailing frame. */
export function demuxFrames(raw: Buffer): { frames: { stream: 'stdout' | 'stderr'; text: string }[]; rest: Buffer } {
  const frames: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const size = raw.readUInt32BE(at + 4);
    if (at + 8 + size > raw.length) break;
    frames.push({ stream: raw[at] === 2 ? 'stderr' : 'stdout', text: raw.subarray(at + 8, at + 8 + size).toString('utf8') });
    at += 8 + size;
  }
  return { frames, rest: raw.subarray(at) };
}

/** The last `lines` lines the container wrote, stdout and stderr together. */
export async function containerLogTail(engine: Engine, id: string, lines = 30): Promise<string[]> {
  const tail: string[] = [];
  await readLogs(engine, id, (line) => tail.push(line), { tail: lines, follow: false });
  return tail;
}

/**
 * A container's logs line by line, stdout and stderr told apart; with `follow`, until the container
 * stops or `signal` aborts. Containers Modelship starts have no TTY, so the stream is multiplexed.
 */
export async function readLogs(
  engine: Engine,
  id: string,
  onLine: (line: string, stream: 'stdout' | 'stderr') => void,
  options: { tail?: number; follow?: boolean; signal?: AbortSignal; since?: number } = {},
): Promise<void> {
  const pending = { stdout: '', stderr: '' };
  const emit = (which: 'stdout' | 'stderr', text: string) => {
    pending[which] += text;
    const lines = pending[which].split('\n');
    pending[which] = lines.pop()!;
    for (const line of lines) onLine(line.replace(/\r$/, ''), which);
  };
  const container = engine.api.getContainer(id);
  const base = { stdout: true, stderr: true, tail: options.tail ?? 200, ...(options.since ? { since: options.since } : {}) };
  if (!options.follow) {
    const raw = (await container.logs({ ...base, follow: false })) as unknown as Buffer;
    for (const frame of demuxFrames(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))).frames) emit(frame.stream, frame.text);
  } else {
    const stream = (await container.logs({ ...base, follow: true, ...(options.signal ? { abortSignal: options.signal } : {}) })) as NodeJS.ReadableStream & { destroy?: () => void };
    let buffer: Buffer = Buffer.alloc(0);
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      options.signal?.addEventListener('abort', () => {
        stream.destroy?.();
        done();
      });
      stream.on('data', (chunk: Buffer) => {
        const { frames, rest } = demuxFrames(Buffer.concat([buffer, chunk]));
        buffer = rest;
        for (const frame of frames) emit(frame.stream, frame.text);
      });
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', done);
    });
  }
  for (const which of ['stdout', 'stderr'] as const) if (pending[which]) onLine(pending[which], which);
}
