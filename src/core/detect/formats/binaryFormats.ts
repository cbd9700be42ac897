/**
 * Formats with a fixed header: GGUF, safetensors, TFLite, CatBoost, HDF5 (Keras), NumPy `.npy`.
 * Each check names the spec it follows; each reads the head and at most one small extra window.
 */
import { READ_BUDGET, latin1Text, readWindow, startsWith, type SniffContext, type SniffHit } from './sniffContext';

const utf8 = new TextDecoder('utf-8');

/** GGUF (ggml/docs/gguf.md): "GGUF", u32 version, u64 tensor count, u64 KV count, then KVs. */
export function sniffGguf(ctx: SniffContext): SniffHit | undefined {
  const h = ctx.head;
  if (!startsWith(h, 'GGUF') || h.length < 24) return undefined;
  const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const version = view.getUint32(4, true);
  if (version < 1 || version > 3) return undefined;
  const tensors = view.getBigUint64(8, true);
  const text = latin1Text(h);
  const architecture = readGgufString(h, text, 'general.architecture');
  const name = readGgufString(h, text, 'general.name');
  return {
    format: 'gguf',
    framework: 'llama.cpp',
    evidence: `GGUF v${version}, ${tensors} tensors${architecture ? `, architecture ${architecture}` : ''}${name ? ` (${name})` : ''}`,
    details: { formatVersion: String(version), ...(architecture ? { architecture } : {}), ...(name ? { producer: name } : {}) },
  };
}

/** Reads a string-typed GGUF KV by key from the head (key, u32 type 8 = string, u64 length, bytes). */
function readGgufString(h: Uint8Array, text: string, key: string): string | undefined {
  const at = text.indexOf(key);
  if (at < 0) return undefined;
  const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const typeAt = at + key.length;
  if (typeAt + 12 > h.length || view.getUint32(typeAt, true) !== 8) return undefined;
  const length = Number(view.getBigUint64(typeAt + 4, true));
  if (length > 256 || typeAt + 12 + length > h.length) return undefined;
  return utf8.decode(h.subarray(typeAt + 12, typeAt + 12 + length));
}

/** safetensors: u64 little-endian header length N, then N bytes of JSON starting with `{`. */
export async function sniffSafetensors(ctx: SniffContext): Promise<SniffHit | undefined> {
  const h = ctx.head;
  if (h.length < 10) return undefined;
  const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength < 2n || headerLength > 100_000_000n || Number(headerLength) + 8 > ctx.size) return undefined;
  if (h[8] !== 0x7b) return undefined;
  const n = Number(headerLength);
  const window = await readWindow(ctx, Math.min(8 + n, READ_BUDGET));
  const headerText = utf8.decode(window.subarray(8, 8 + n));
  if (!/"dtype"\s*:/.test(headerText) && !/"__metadata__"/.test(headerText)) return undefined;
  let tensors = (headerText.match(/"data_offsets"\s*:/g) ?? []).length;
  let formatHint: string | undefined;
  if (window.length >= 8 + n) {
    try {
      const header = JSON.parse(headerText) as Record<string, unknown>;
      tensors = Object.keys(header).filter((k) => k !== '__metadata__').length;
      const meta = header.__metadata__ as Record<string, unknown> | undefined;
      if (meta && typeof meta.format === 'string') formatHint = meta.format;
    } catch {
      return undefined;
    }
  } else {
    formatHint = /"format"\s*:\s*"(\w+)"/.exec(headerText)?.[1];
  }
  const complete = window.length >= 8 + n;
  return {
    format: 'safetensors',
    framework: 'safetensors',
    evidence: `safetensors header (${n} bytes, ${complete ? '' : 'at least '}${tensors} tensors${formatHint ? `, format ${formatHint}` : ''})`,
    details: formatHint ? { architecture: formatHint } : {},
  };
}

/** TFLite (tensorflow/lite/schema/schema.fbs): a FlatBuffer whose file identifier is "TFL3". */
export function sniffTflite(ctx: SniffContext): SniffHit | undefined {
  const h = ctx.head;
  if (h.length < 8 || !startsWith(h, 'TFL3', 4)) return undefined;
  const root = new DataView(h.buffer, h.byteOffset, h.byteLength).getUint32(0, true);
  if (root < 8 || root >= ctx.size) return undefined;
  return { format: 'tflite', framework: 'tensorflow', evidence: 'FlatBuffer with file identifier TFL3 (TensorFlow Lite)' };
}

/** CatBoost binary model (catboost/libs/model/model.cpp): "CBM1" then a FlatBuffer of the model core. */
export function sniffCatboost(ctx: SniffContext): SniffHit | undefined {
  if (!startsWith(ctx.head, 'CBM1') || ctx.size < 16) return undefined;
  return { format: 'catboost', framework: 'catboost', evidence: 'CatBoost model signature CBM1' };
}

/** NumPy .npy (numpy/lib/format.py): "\x93NUMPY", version, header length, a dict literal. */
export function sniffNpy(ctx: SniffContext): SniffHit | undefined {
  const h = ctx.head;
  if (h.length < 10 || h[0] !== 0x93 || !startsWith(h, 'NUMPY', 1)) return undefined;
  const header = latin1Text(h.subarray(8, Math.min(h.length, 8 + 4096)));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1] ?? (/'descr':\s*\[/.test(header) ? 'structured' : '?');
  const shape = /'shape':\s*(\([^)]*\))/.exec(header)?.[1] ?? '?';
  const objects = descr === '|O';
  return {
    format: 'numpy',
    framework: 'numpy',
    evidence: `NumPy .npy v${h[6]}.${h[7]}, dtype ${descr}, shape ${shape}${objects ? ' (object array: pickled)' : ''}`,
  };
}

const HDF5_SIGNATURE = '\x89HDF\r\n\x1a\n';

/** Keras markers written as HDF5 attributes or group names by Keras 2 `save` and Keras 3 `save_weights`. */
const KERAS_MARKERS = ['keras_version', 'model_config', 'layer_names', 'model_weights', 'training_config', '_layer_checkpoint_dependencies'];

/**
 * HDF5 (signature at 0, or after a user block at 512, 1024, 2048...). Only Keras files count as
 * models; a plain HDF5 dataset does not.
 */
export async function sniffHdf5(ctx: SniffContext): Promise<SniffHit | undefined> {
  let at = -1;
  for (const offset of [0, 512, 1024, 2048]) if (startsWith(ctx.head, HDF5_SIGNATURE, offset)) at = offset;
  if (at < 0) return undefined;
  const window = await readWindow(ctx, READ_BUDGET);
  const text = latin1Text(window);
  const markers = KERAS_MARKERS.filter((m) => text.includes(m));
  const kerasVersion = /keras_version.{0,64}?(\d+\.\d+\.\d+)/s.exec(text)?.[1];
  const weightsName = /\.weights\.h5$/.test(ctx.name);
  const keras3Weights = text.includes('vars') && text.includes('layers') && weightsName;
  if (markers.length === 0 && !keras3Weights) return undefined;
  const why = markers.length > 0 ? `Keras attributes ${markers.slice(0, 3).join(', ')}` : 'the Keras 3 weights layout (layers/…/vars)';
  return {
    format: 'keras-h5',
    framework: 'keras',
    evidence: `HDF5 file with ${why}${kerasVersion ? `, Keras ${kerasVersion}` : ''}`,
    details: kerasVersion ? { producer: `keras ${kerasVersion}` } : {},
  };
}
