/**
 * Try a Prediction's answer as a Markdown document: where it ran, the sample sent, and each
 * predicted row beside the expected one saved with the sample (matching as the smoke test
 * compares: numbers within a relative tolerance). Pure; part of the deploy bundle.
 */
import { comparePredictions, type ExpectedAnswer } from '../../core/ship/expectedAnswer';
import type { ClusterSmokeOutcome } from '../../flows/clusterSmoke';

const cell = (value: unknown): string => (value === undefined ? '—' : JSON.stringify(value).replace(/\|/g, '\\|').slice(0, 120));

export function predictionReport(outcome: ClusterSmokeOutcome, expected: ExpectedAnswer | undefined): { markdown: string; compared: number; matches: number } {
  const { result } = outcome;
  const predictions = result.predictions ?? [];
  const mismatched = new Set(expected ? comparePredictions(predictions, expected.predictions).map((m) => m.row) : []);
  const rows = Math.max(predictions.length, expected?.predictions.length ?? 0);
  const lines = [
    `# Prediction from ${outcome.service} in ${outcome.environment}`,
    '',
    `- through \`${outcome.url}\` (port-forward to pod \`${outcome.pod ?? '?'}\`, context \`${outcome.context}\`, namespace \`${outcome.namespace}\`)`,
    `- sample: \`${result.sampleSource}\` (${result.rows} row(s)); HTTP ${result.status} in ${result.ms} ms`,
    expected ? `- expected: \`${expected.source}\`` : '- no expected predictions saved beside the sample; save them as `<sample>.expected.json` to compare',
    '',
    expected ? '| row | prediction | expected | |' : '| row | prediction |',
    expected ? '|---:|---|---|:-:|' : '|---:|---|',
  ];
  let matches = 0;
  for (let row = 0; row < rows; row++) {
    if (!expected) {
      lines.push(`| ${row} | ${cell(predictions[row])} |`);
      continue;
    }
    const ok = row < predictions.length && row < expected.predictions.length && !mismatched.has(row);
    if (ok) matches++;
    lines.push(`| ${row} | ${cell(predictions[row])} | ${cell(expected.predictions[row])} | ${ok ? '✓' : '✗'} |`);
  }
  lines.push('', '<details><summary>Raw answer</summary>', '', '```json', JSON.stringify(result.answer, null, 2).slice(0, 20000), '```', '', '</details>', '');
  return { markdown: lines.join('\n'), compared: expected ? rows : 0, matches };
}
