/**
 * MS-DF012: `COPY .` (or `ADD .`) sends the whole build context into the image. Warn when that is
 * more than CONTEXT_LIMIT bytes, or when it holds datasets or models the Dockerfile never names,
 * naming the biggest offenders. Sizes come from the listed context files minus .dockerignore;
 * without a listing, from the models detection found.
 */
import { formatBytes } from '../../../formatBytes';
import type { Analysis, Rule } from '../analysis';
import type { ContextFile } from '../buildContext';
import { DF } from '../rules';
import { contextModels, servedModels } from './models';

export const CONTEXT_LIMIT = 100 * 1024 * 1024;
/** Below this, data files are taken to be fixtures the app reads, not a dataset. */
const DATASET_MIN = 1024 * 1024;
const DATASET_FILE = /\.(csv|tsv|parquet|feather|arrow|tfrecords?|jsonl|avro|orc|lance|zarr|xlsx?)$/i;
const DATASET_DIR = /(^|\/)(data|datasets?|raw|processed)\//i;

interface Offender {
  path: string;
  bytes: number;
  kind: 'dataset' | 'model' | 'file';
}

export const largeBuildContext: Rule = (a) => {
  const steps = a.copySteps.filter((s) => s.sources.some((x) => x.whole));
  if (steps.length === 0 || (!a.context.knowsFiles && !a.project)) return;
  const { files, total, offenders } = survey(a);
  const datasets = offenders.filter((o) => o.kind === 'dataset');
  const models = offenders.filter((o) => o.kind === 'model');
  const datasetBytes = datasets.reduce((n, o) => n + o.bytes, 0);
  const tooBig = a.context.knowsFiles && total > CONTEXT_LIMIT;
  if (!tooBig && models.length === 0 && datasetBytes < DATASET_MIN) return;
  const parts: string[] = [];
  if (datasetBytes >= DATASET_MIN) parts.push(`datasets (${list(datasets)})`);
  if (models.length > 0) parts.push(`models the Dockerfile never names (${list(models)})`);
  if (tooBig && parts.length === 0) parts.push(`most of all ${list(offenders)}`);
  const size = a.context.knowsFiles ? `${formatBytes(total)} (${files} file${files === 1 ? '' : 's'})` : 'every model detection found';
  const ignoreNote = a.context.hasDockerignore ? 'exclude them in .dockerignore' : 'add a .dockerignore that excludes them (there is none)';
  for (const step of steps) {
    const source = step.sources.find((x) => x.whole)!;
    a.report(DF.buildContext, source.arg.range, `${step.ins.keyword} ${source.arg.value} sends ${size} from the build context into the image, including ${parts.join(' and ')}: ${ignoreNote}, or COPY only the app and the served model.`);
  }
};

function survey(a: Analysis): { files: number; total: number; offenders: Offender[] } {
  const served = servedModels(a);
  const models = contextModels(a).filter((m) => !served.has(m.path) && !a.context.ignores(m.path));
  const modelOf = (path: string): string | undefined => models.find((m) => path === m.path || path.startsWith(`${m.path}/`))?.path;
  if (!a.context.knowsFiles) {
    return { files: models.length, total: models.reduce((n, m) => n + m.model.bytes, 0), offenders: models.map((m) => ({ path: m.path, bytes: m.model.bytes, kind: 'model' })) };
  }
  const included: ContextFile[] = a.context.includedFiles();
  const byModel = new Map<string, number>();
  const offenders: Offender[] = [];
  let total = 0;
  for (const f of included) {
    total += f.bytes;
    const model = modelOf(f.path);
    if (model !== undefined) byModel.set(model, (byModel.get(model) ?? 0) + f.bytes);
    else if (served.has(f.path) || [...served].some((s) => f.path.startsWith(`${s}/`))) continue;
    else offenders.push({ path: f.path, bytes: f.bytes, kind: DATASET_FILE.test(f.path) || DATASET_DIR.test(f.path) ? 'dataset' : 'file' });
  }
  for (const [path, bytes] of byModel) offenders.push({ path, bytes, kind: 'model' });
  offenders.sort((x, y) => y.bytes - x.bytes || x.path.localeCompare(y.path));
  return { files: included.length, total, offenders };
}

function list(offenders: Offender[]): string {
  const shown = offenders.slice(0, 3).map((o) => `${o.path} ${formatBytes(o.bytes)}`).join(', ');
  return offenders.length > 3 ? `${shown} and ${offenders.length - 3} more` : shown;
}
