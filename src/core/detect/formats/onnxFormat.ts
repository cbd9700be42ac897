/**
 * ONNX ModelProto (onnx/onnx.proto) has no magic number, so this walks the top-level protobuf
 * fields and accepts the file only if every field is one ModelProto defines, with the right wire
 * type and a length that fits, and it finds an IR version and a graph or an opset.
 */
import { READ_BUDGET, readWindow, type SniffContext, type SniffHit } from './sniffContext';

/** ModelProto field number → wire type (0 varint, 2 length-delimited). */
const MODEL_FIELDS = new Map<number, number>([
  [1, 0], [2, 2], [3, 2], [4, 2], [5, 0], [6, 2], [7, 2], [8, 2], [14, 2], [20, 2], [25, 2],
]);
const STRING_FIELDS = new Set([2, 3, 4]);

function varint(bytes: Uint8Array, pos: number): [number, number] | undefined {
  let result = 0;
  let shift = 0;
  for (let i = pos; i < bytes.length && i < pos + 10; i++) {
    const b = bytes[i]!;
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [result, i + 1];
  }
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function sniffOnnx(ctx: SniffContext): Promise<SniffHit | undefined> {
  if (ctx.head[0] !== 0x08) return undefined;
  const bytes = await readWindow(ctx, READ_BUDGET);
  let pos = 0;
  let irVersion: number | undefined;
  let producer = '';
  let producerVersion = '';
  let sawGraph = false;
  let opset: number | undefined;
  let fields = 0;
  while (pos < bytes.length) {
    const tag = varint(bytes, pos);
    if (!tag) break;
    const [key, afterTag] = tag;
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (MODEL_FIELDS.get(field) !== wire) return undefined;
    const value = varint(bytes, afterTag);
    if (!value) break;
    const [n, afterValue] = value;
    fields++;
    if (wire === 0) {
      if (field === 1) irVersion = n;
      pos = afterValue;
      continue;
    }
    if (afterValue + n > ctx.size) return undefined;
    if (STRING_FIELDS.has(field) && afterValue + n <= bytes.length) {
      let text: string;
      try {
        text = utf8.decode(bytes.subarray(afterValue, afterValue + n));
      } catch {
        return undefined;
      }
      if (field === 2) producer = text;
      if (field === 3) producerVersion = text;
    }
    if (field === 7) sawGraph = true;
    if (field === 8 && afterValue + n <= bytes.length) opset ??= readOpset(bytes.subarray(afterValue, afterValue + n));
    pos = afterValue + n;
    // The graph usually holds the weights; one small read past it finds the opset that follows.
    if (pos >= bytes.length && pos < ctx.size && field === 7) {
      const next = await ctx.read(pos, 64);
      const tail = varint(next, 0);
      if (tail && tail[0] === (8 << 3 | 2)) {
        const len = varint(next, tail[1]);
        if (len) opset ??= readOpset(next.subarray(len[1], len[1] + len[0]));
      }
      break;
    }
  }
  if (irVersion === undefined || irVersion < 1 || irVersion > 64 || fields < 2 || (!sawGraph && opset === undefined)) return undefined;
  const by = producer ? `, produced by ${producer}${producerVersion ? ` ${producerVersion}` : ''}` : '';
  return {
    format: 'onnx',
    framework: 'onnx',
    evidence: `ONNX ModelProto, IR version ${irVersion}${opset !== undefined ? `, opset ${opset}` : ''}${by}`,
    details: { onnxIrVersion: irVersion, ...(opset !== undefined ? { onnxOpset: opset } : {}), ...(producer ? { producer } : {}) },
  };
}

/** OperatorSetIdProto: field 1 domain (string), field 2 version (varint); the default domain is "". */
function readOpset(bytes: Uint8Array): number | undefined {
  let pos = 0;
  let domain = '';
  let version: number | undefined;
  while (pos < bytes.length) {
    const tag = varint(bytes, pos);
    if (!tag) return undefined;
    const value = varint(bytes, tag[1]);
    if (!value) return undefined;
    if (tag[0] === 0x0a) {
      domain = new TextDecoder().decode(bytes.subarray(value[1], value[1] + value[0]));
      pos = value[1] + value[0];
    } else if (tag[0] === 0x10) {
      version = value[0];
      pos = value[1];
    } else return undefined;
  }
  return domain === '' || domain === 'ai.onnx' ? version : undefined;
}
