/**
 * What a smoke test's answer should be, when the project says: `<sample>.expected.json` or
 * `expected_predictions.json` next to the saved sample, holding `{"predictions": [...]}` (or the bare
 * list) the model gave in training. Comparing them catches a container whose libraries or
 * preprocessing drifted from the training environment, which a 200 alone does not.
 */
import { ModelshipError } from '../errors';
import { parseJsonStrict } from './jsonText';

/** Expected predictions and the file they came from. */
export interface ExpectedAnswer {
  predictions: unknown[];
  source: string;
}

/** One row whose prediction differs. */
export interface PredictionMismatch {
  row: number;
  expected: unknown;
  actual: unknown;
}

/** Where expected predictions for the sample at `sampleFile` (project-relative) may be saved. */
export function expectedCandidates(sampleFile: string): string[] {
  const slash = sampleFile.lastIndexOf('/');
  const dir = slash >= 0 ? sampleFile.slice(0, slash + 1) : '';
  const base = sampleFile.slice(slash + 1).replace(/\.json$/i, '');
  return [`${dir}${base}.expected.json`, `${dir}expected_predictions.json`];
}

export function parseExpected(text: string, file: string): ExpectedAnswer {
  const value = parseJsonStrict(text, file, 'BAD_EXPECTED');
  const predictions = Array.isArray(value) ? value : value && typeof value === 'object' ? (value as { predictions?: unknown }).predictions : undefined;
  if (!Array.isArray(predictions)) throw new ModelshipError('BAD_EXPECTED', `${file}: expected {"predictions": [...]} or a list of predictions`);
  return { predictions, source: file };
}

function close(a: unknown, b: unknown, rtol: number, atol: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= atol + rtol * Math.abs(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => close(x, b[i], rtol, atol));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(b as object);
    return keys.length === Object.keys(a as object).length && keys.every((k) => close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], rtol, atol));
  }
  return a === b;
}

/**
 * The rows where `actual` differs from `expected`: numbers within a relative 1e-6 (float32
 * round trips and BLAS differences), everything else exactly. A length difference is a mismatch
 * on every row past the shorter one.
 */
export function comparePredictions(actual: unknown[], expected: unknown[], rtol = 1e-6, atol = 1e-9): PredictionMismatch[] {
  const mismatches: PredictionMismatch[] = [];
  for (let row = 0; row < Math.max(actual.length, expected.length); row++) {
    if (!close(actual[row], expected[row], rtol, atol)) mismatches.push({ row, expected: expected[row], actual: actual[row] });
  }
  return mismatches;
}
