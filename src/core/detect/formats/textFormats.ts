/**
 * Text and JSON-family formats: XGBoost JSON and UBJSON, LightGBM's text dump, Git LFS pointers,
 * and sharded-checkpoint index files (`*.safetensors.index.json`, `pytorch_model.bin.index.json`).
 */
import { latin1Text, readWindow, startsWith, type SniffContext, type SniffHit } from './sniffContext';

const utf8 = new TextDecoder('utf-8');

/** Git LFS pointer (git-lfs/docs/spec.md): `version https://git-lfs.github.com/spec/v1`, `oid`, `size`. */
export function sniffLfsPointer(ctx: SniffContext): SniffHit | undefined {
  if (ctx.size > 1024 || !startsWith(ctx.head, 'version https://git-lfs.github.com/spec/')) return undefined;
  const text = utf8.decode(ctx.head);
  const oid = /^oid sha256:([0-9a-f]{64})$/m.exec(text)?.[1];
  const size = /^size (\d+)$/m.exec(text)?.[1];
  if (!oid || !size) return undefined;
  return {
    format: 'lfs-pointer',
    framework: 'unknown',
    evidence: `Git LFS pointer to a ${size}-byte object (oid sha256:${oid.slice(0, 12)}…); the weights were never pulled`,
    details: { lfsOid: oid, lfsSize: Number(size) },
  };
}

/** XGBoost JSON (`Booster.save_model('x.json')`): an object whose first key is `learner`. */
export function sniffXgboostJson(ctx: SniffContext): SniffHit | undefined {
  const text = utf8.decode(ctx.head.subarray(0, 4096));
  if (!/^\s*\{\s*"learner"\s*:\s*\{/.test(text)) return undefined;
  if (!/"(attributes|feature_names|gradient_booster|learner_model_param|objective)"/.test(text)) return undefined;
  const features = /"num_feature"\s*:\s*"(\d+)"/.exec(text)?.[1];
  return {
    format: 'xgboost-json',
    framework: 'xgboost',
    evidence: `XGBoost JSON model (top-level "learner" object${features ? `, ${features} features` : ''})`,
    details: features ? { inputFeatures: Number(features) } : {},
  };
}

/**
 * XGBoost UBJSON (`Booster.save_model('x.ubj')`): `{`, then the key `learner` encoded as a
 * length (type marker i/U/I/l/L plus its integer) followed by the 7 bytes.
 */
export function sniffXgboostUbj(ctx: SniffContext): SniffHit | undefined {
  const h = ctx.head;
  if (h[0] !== 0x7b) return undefined;
  const sizes: Record<string, number> = { i: 1, U: 1, I: 2, l: 4, L: 8 };
  const width = sizes[String.fromCharCode(h[1] ?? 0)];
  if (!width) return undefined;
  if (!startsWith(h, 'learner', 2 + width)) return undefined;
  const text = latin1Text(h);
  const features = /num_feature[SiUCHL]*.?.?(\d+)/.exec(text)?.[1];
  return {
    format: 'xgboost-ubj',
    framework: 'xgboost',
    evidence: 'XGBoost UBJSON model (top-level "learner" key)',
    details: features ? { inputFeatures: Number(features) } : {},
  };
}

/** LightGBM text model (`Booster.save_model`): `tree`, then `version=vN` and `num_class=` header lines. */
export function sniffLightgbm(ctx: SniffContext): SniffHit | undefined {
  const text = utf8.decode(ctx.head.subarray(0, 4096));
  if (!/^tree\r?\n/.test(text)) return undefined;
  const version = /^version=(v\d+)/m.exec(text)?.[1];
  if (!version || !/^num_class=\d+/m.test(text)) return undefined;
  const maxFeature = /^max_feature_idx=(\d+)/m.exec(text)?.[1];
  return {
    format: 'lightgbm-text',
    framework: 'lightgbm',
    evidence: `LightGBM text model (${version}${maxFeature ? `, ${Number(maxFeature) + 1} features` : ''})`,
    details: { formatVersion: version, ...(maxFeature ? { inputFeatures: Number(maxFeature) + 1 } : {}) },
  };
}

/** The shard files a sharded-checkpoint index names, from its `weight_map` values. */
export function shardsOfIndex(text: string): string[] {
  try {
    const index = JSON.parse(text) as { weight_map?: Record<string, string> };
    if (index.weight_map && typeof index.weight_map === 'object') {
      return [...new Set(Object.values(index.weight_map).filter((v) => typeof v === 'string'))].sort();
    }
  } catch {
    // A partial read of a very large index: fall back to the quoted shard names in it.
  }
  return [...new Set(text.match(/"[^"/\\]+\.(safetensors|bin)"/g)?.map((m) => m.slice(1, -1)) ?? [])].sort();
}

/** A sharded checkpoint index: JSON with a `weight_map` of tensor names to shard files. */
export async function sniffShardIndex(ctx: SniffContext): Promise<SniffHit | undefined> {
  if (!/\.(safetensors|bin)\.index\.json$/.test(ctx.name)) return undefined;
  const text = utf8.decode(await readWindow(ctx, 64 * 1024));
  if (!text.includes('"weight_map"')) return undefined;
  const shards = shardsOfIndex(text);
  const safetensors = ctx.name.endsWith('.safetensors.index.json');
  return {
    format: safetensors ? 'safetensors' : 'pytorch',
    framework: safetensors ? 'safetensors' : 'pytorch',
    evidence: `sharded checkpoint index naming ${shards.length} shard${shards.length === 1 ? '' : 's'}`,
    details: { shards },
  };
}
