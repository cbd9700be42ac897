// The recorded engine streams (test/fixtures/engine-streams, made by record.mjs) and the splitter
// replay the build and push parser tests share.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonLineSplitter } from '../../../src/docker/buildProgress';

export const STREAMS_DIR = join(__dirname, '../../fixtures/engine-streams');
export const recorded = JSON.parse(readFileSync(join(STREAMS_DIR, 'recorded.json'), 'utf8')) as Record<string, { imageId?: string; tag?: string; digest?: string }>;
export const bytesOf = (name: string): Buffer => readFileSync(join(STREAMS_DIR, `${name}.jsonl`));

/** The fixture's records, parsed line by line without the splitter. */
export function recordsOf(name: string): unknown[] {
  return bytesOf(name).toString('utf8').split('\r\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
}

/** The records JsonLineSplitter finds when `bytes` arrive cut at `cuts` (taken modulo the length). */
export function split(bytes: Buffer, cuts: number[]): unknown[] {
  const splitter = new JsonLineSplitter();
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const records: unknown[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    records.push(...splitter.push(bytes.subarray(from, to)));
    from = to;
  }
  return [...records, ...splitter.end()];
}
