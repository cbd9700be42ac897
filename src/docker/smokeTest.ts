/**
 * The smoke test: one real prediction from the running server. The sample is a file saved in the
 * project (sampleInput.ts lists where), or rows shaped from the server's own V2 metadata; the
 * answer must be a 200 with one prediction per row.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ModelshipError } from '../core/errors';
import { comparePredictions, expectedCandidates, parseExpected, parseSample, sampleCandidates, shapedSample, type ExpectedAnswer, type ServerInputMetadata, type ShipTarget, type SmokeSample } from '../core/ship';
import { httpJson } from './httpJson';

/** What one smoke test sent and got back. */
export interface SmokeResult {
  url: string;
  sampleSource: string;
  rows: number;
  status: number;
  ms: number;
  /** The parsed answer (`{"predictions": [...], ...}`), or the raw text when it was not JSON. */
  answer: unknown;
  predictions?: unknown[];
  /** Set when the answer was compared with saved predictions (it matched, or the test failed). */
  expected?: { source: string; rows: number };
}

/** The first saved sample of the project, or undefined. A sample that does not parse is an error naming it. */
export function findSavedSample(projectDir: string, target: ShipTarget): SmokeSample | undefined {
  for (const candidate of sampleCandidates(target.model?.path)) {
    const file = path.join(projectDir, candidate);
    if (existsSync(file)) return parseSample(readFileSync(file, 'utf8'), candidate);
  }
  return undefined;
}

/** Expected predictions saved beside a sample file (`<sample>.expected.json`, `expected_predictions.json`), if any. */
export function findExpectedAnswer(projectDir: string, sampleSource: string): ExpectedAnswer | undefined {
  for (const candidate of expectedCandidates(sampleSource)) {
    const file = path.isAbsolute(candidate) ? candidate : path.join(projectDir, candidate);
    if (existsSync(file)) return parseExpected(readFileSync(file, 'utf8'), candidate);
  }
  return undefined;
}

export function readExpectedFile(file: string): ExpectedAnswer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModelshipError('BAD_EXPECTED', `Cannot read the expected predictions ${file}: ${(error as Error).message}`);
  }
  return parseExpected(text, file);
}

export function readSampleFile(file: string): SmokeSample {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModelshipError('BAD_SAMPLE', `Cannot read the sample ${file}: ${(error as Error).message}`);
  }
  return parseSample(text, file);
}

/** Rows shaped from `GET /v2/models/<name>`, else from the width detection read in the model file. */
export async function sampleFromServer(baseUrl: string, modelName: string, inputFeatures?: number): Promise<SmokeSample> {
  let metadata: ServerInputMetadata | undefined;
  try {
    const reply = await httpJson(`${baseUrl}/v2/models/${encodeURIComponent(modelName)}`, { timeoutMs: 5000 });
    if (reply.status === 200) metadata = JSON.parse(reply.text) as ServerInputMetadata;
  } catch {
    // A server without V2 metadata still gets a smoke test when the model file states its width.
  }
  const sample = shapedSample(metadata, inputFeatures);
  if (!sample) {
    throw new ModelshipError('NO_SAMPLE', `No sample to send: the project has none saved and ${baseUrl} does not say its input shape.`, `Save one request body as sample.json (e.g. {"instances": [[...]]}) in the project.`);
  }
  return sample;
}

/** POSTs the sample to `<baseUrl>/predict`; throws SMOKE_FAILED with the server's answer unless it is a 200 with one prediction per row. */
export async function runSmokeTest(baseUrl: string, sample: SmokeSample, options: { predictPath?: string; timeoutMs?: number; expected?: ExpectedAnswer } = {}): Promise<SmokeResult> {
  const url = `${baseUrl.replace(/\/+$/, '')}${options.predictPath ?? '/predict'}`;
  let reply;
  try {
    reply = await httpJson(url, { method: 'POST', body: sample.body, timeoutMs: options.timeoutMs ?? 30_000 });
  } catch (error) {
    throw new ModelshipError('SMOKE_FAILED', `POST ${url} failed: ${(error as Error).message}`, 'Is the container running? Start it (Modelship: Run Container, or modelship run).');
  }
  let answer: unknown = reply.text;
  try {
    answer = JSON.parse(reply.text);
  } catch {
    // Kept as text for the report.
  }
  const rows = sample.body.instances.length;
  const result: SmokeResult = { url, sampleSource: sample.source, rows, status: reply.status, ms: reply.ms, answer };
  if (reply.status !== 200) {
    const detail = typeof answer === 'object' && answer && 'error' in answer ? JSON.stringify((answer as { error: unknown }).error) : reply.text.slice(0, 500);
    throw Object.assign(new ModelshipError('SMOKE_FAILED', `POST ${url} with ${rows} row(s) from ${sample.source} answered ${reply.status}: ${detail}`), { result });
  }
  const predictions = (answer as { predictions?: unknown }).predictions;
  if (!Array.isArray(predictions) || predictions.length !== rows) {
    throw Object.assign(new ModelshipError('SMOKE_FAILED', `POST ${url} answered 200 but with ${Array.isArray(predictions) ? predictions.length : 'no'} predictions for ${rows} row(s): ${reply.text.slice(0, 300)}`), { result });
  }
  const expected = options.expected;
  if (expected) {
    const mismatches = comparePredictions(predictions, expected.predictions);
    if (mismatches.length > 0) {
      const details = mismatches.slice(0, 10).map((m) => `row ${m.row}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.actual)}`);
      throw Object.assign(
        new ModelshipError('SMOKE_FAILED', `POST ${url} answered, but ${mismatches.length} of ${Math.max(rows, expected.predictions.length)} prediction(s) differ from ${expected.source}`, 'The container does not predict what the model did in training: compare library versions (serving/requirements.txt) with the training environment.', details),
        { result: { ...result, predictions, expected: { source: expected.source, rows: expected.predictions.length } } },
      );
    }
  }
  return { ...result, predictions, ...(expected ? { expected: { source: expected.source, rows: expected.predictions.length } } : {}) };
}
