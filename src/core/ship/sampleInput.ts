/**
 * The request a smoke test sends to `/predict`: a sample saved in the project when there is one
 * (ours, or MLflow's `input_example.json`), else rows shaped from what the running server says
 * about its input (V2 model metadata), else from the width detection read from the model file.
 */
import { ModelshipError } from '../errors';
import { parseJsonStrict } from './jsonText';

/** Project-relative files tried in order for a saved sample; `{model}` is the model's folder. */
export const SAMPLE_FILES = ['serving/sample.json', 'sample.json', '{model}/sample.json', 'input_example.json', '{model}/input_example.json'];

/** A smoke-test request and where it came from, for the report. */
export interface SmokeSample {
  /** The JSON body for POST /predict (KServe V1: {"instances": [...]}). */
  body: { instances: unknown[] };
  /** e.g. `sample.json`, `server metadata (4 FP32 inputs)`, `model file (4 features)`. */
  source: string;
}

/** The V2 metadata fields the shaping uses (`GET /v2/models/{name}`). */
export interface ServerInputMetadata {
  inputs?: { datatype?: string; shape?: number[] }[];
  parameters?: { columns?: string[] };
}

/** The candidate sample paths for a model at `modelPath` (project-relative), without duplicates. */
export function sampleCandidates(modelPath: string | undefined): string[] {
  const dir = modelPath && modelPath.includes('/') ? modelPath.slice(0, modelPath.lastIndexOf('/')) : '';
  const out = SAMPLE_FILES.map((f) => (f.startsWith('{model}/') ? (dir ? `${dir}/${f.slice(8)}` : f.slice(8)) : f));
  return [...new Set(out)];
}

/** Rows of a pandas "split" frame as objects keyed by column name. */
function splitToRows(split: { columns?: unknown; data?: unknown }, file: string): Record<string, unknown>[] {
  if (!Array.isArray(split.columns) || !Array.isArray(split.data)) {
    throw new ModelshipError('BAD_SAMPLE', `${file}: a "split" sample needs "columns" and "data" arrays`);
  }
  const columns = split.columns as string[];
  return (split.data as unknown[][]).map((row) => Object.fromEntries(columns.map((c, i) => [c, Array.isArray(row) ? row[i] : undefined])));
}

/**
 * The smoke request saved in `text` (from `file`): `{"instances": [...]}`, `{"data": [...]}` (one
 * row), a bare list of rows, MLflow's `{"dataframe_split": {...}}` / `{"columns", "data"}`, or
 * `{"inputs": ...}` rows. Bad JSON names the file, line and column.
 */
export function parseSample(text: string, file: string): SmokeSample {
  const value = parseJsonStrict(text, file, 'BAD_SAMPLE');
  const rows = sampleRows(value, file);
  if (rows.length === 0) throw new ModelshipError('BAD_SAMPLE', `${file}: the sample has no rows`);
  return { body: { instances: rows }, source: file };
}

function sampleRows(value: unknown, file: string): unknown[] {
  if (Array.isArray(value)) return value.length > 0 && !Array.isArray(value[0]) && typeof value[0] !== 'object' ? [value] : value;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.instances)) return o.instances;
    if (o.dataframe_split && typeof o.dataframe_split === 'object') return splitToRows(o.dataframe_split as { columns?: unknown; data?: unknown }, file);
    if (Array.isArray(o.dataframe_records)) return o.dataframe_records;
    if (Array.isArray(o.columns)) return splitToRows(o, file);
    if (Array.isArray(o.data)) return Array.isArray(o.data[0]) ? o.data : [o.data];
    if (Array.isArray(o.inputs)) return o.inputs;
  }
  throw new ModelshipError('BAD_SAMPLE', `${file}: expected {"instances": [[...], ...]}, {"data": [...]} or a list of rows`);
}

function zeroOf(datatype: string | undefined): unknown {
  if (datatype === 'BYTES') return '';
  if (datatype === 'BOOL') return false;
  if (datatype && /^U?INT/.test(datatype)) return 0;
  return 0.0;
}

/**
 * Two rows of zeros shaped from the server's V2 metadata (`[-1, width]`, or named columns), or from
 * `inputFeatures` when the server says nothing useful. Undefined when neither gives a width.
 */
export function shapedSample(metadata: ServerInputMetadata | undefined, inputFeatures?: number): SmokeSample | undefined {
  const input = metadata?.inputs?.[0];
  const columns = metadata?.parameters?.columns;
  if (columns && columns.length > 0) {
    const row = Object.fromEntries(columns.map((c) => [c, zeroOf(input?.datatype)]));
    return { body: { instances: [row, row] }, source: `server metadata (columns ${columns.join(', ')})` };
  }
  const dims = input?.shape?.slice(1) ?? [];
  if (dims.length > 0 && dims.every((d) => Number.isInteger(d) && d > 0)) {
    const build = (level: number): unknown => (level === dims.length ? zeroOf(input?.datatype) : Array.from({ length: dims[level]! }, () => build(level + 1)));
    const row = build(0);
    return { body: { instances: [row, row] }, source: `server metadata (input shape [${dims.join(', ')}], ${input?.datatype ?? 'FP32'})` };
  }
  if (inputFeatures && inputFeatures > 0) {
    const row = Array.from({ length: inputFeatures }, () => 0.0);
    return { body: { instances: [row, row] }, source: `model file (${inputFeatures} features)` };
  }
  return undefined;
}
