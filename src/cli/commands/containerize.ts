/**
 * `modelship containerize PATH`: detect, plan every file, show the plan, and write only what is
 * new, or what the user agreed to overwrite (a prompt on a terminal, `--force` otherwise).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline/promises';
import { detectProject } from '../../core/detect';
import type { ProjectDescription } from '../../core/detect/types';
import { ModelshipError } from '../../core/errors';
import { ALL_TARGETS, scaffold, type ContainerizeOptions, type ModelMode, type ScaffoldTarget } from '../../core/scaffold';
import { GENERATED_RECORD_PATH, parseGeneratedRecord } from '../../core/scaffold/generatedRecord';
import { describePlan, nextGeneratedRecord, planChanges, writesWithoutAsking, type PlannedChange } from '../../core/scaffold/plan';
import { normalizeSettings } from '../../core/settings';
import { NodeFsReader } from '../../platform/nodeFsReader';
import { sha256File, writeFileAtomic } from '../../platform/writeFileAtomic';
import { debug } from '../verbose';

export interface ContainerizeFlags {
  gpu: boolean;
  mode: string;
  only?: string;
  dryRun: boolean;
  force: boolean;
  json: boolean;
  modelUri?: string;
  image?: string;
  baseImage?: string;
  baseProvides?: string;
  gpuBaseImage?: string;
  offline: boolean;
  /** Secret mounts for pip's index in the Dockerfile (default true; --no-pip-secrets). */
  pipSecrets?: boolean;
}

/** `a,b==1.0` or `@file` of `pip freeze` lines → `name` / `name==version` entries. */
function parseBaseProvides(value: string): string[] {
  const text = value.startsWith('@') ? fs.readFileSync(value.slice(1), 'utf8') : value.replace(/,/g, '\n');
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => /^[A-Za-z0-9][A-Za-z0-9._-]*(==[^\s;]+)?$/.test(line));
}

const PROJECT_MARKERS = ['requirements.txt', 'pyproject.toml', 'Pipfile', 'environment.yml', 'environment.yaml', 'setup.py', '.git'];

/** The nearest folder at or above `start` that looks like a project root; `start` itself if none. */
export function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (PROJECT_MARKERS.some((m) => fs.existsSync(path.join(dir, m)))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
}

function parseTargets(only: string | undefined): ScaffoldTarget[] {
  if (!only) return [...ALL_TARGETS];
  const targets = only.split(',').map((t) => t.trim()).filter(Boolean);
  const unknown = targets.filter((t) => !(ALL_TARGETS as readonly string[]).includes(t));
  if (unknown.length > 0) throw new ModelshipError('BAD_TARGET', `unknown target ${unknown.join(', ')}`, `Choose from ${ALL_TARGETS.join(', ')}`);
  return targets as ScaffoldTarget[];
}

function parseMode(mode: string): ModelMode {
  if (mode === 'bake' || mode === 'mount') return mode;
  throw new ModelshipError('BAD_MODE', `--mode must be bake or mount, not ${mode}`);
}

/** Resolves PATH to the project root and the model's path inside it. */
async function locate(target: string): Promise<{ root: string; desc: ProjectDescription; model: string }> {
  const abs = path.resolve(target);
  if (!fs.existsSync(abs)) throw new ModelshipError('PATH_NOT_FOUND', `${target}: no such file or folder`);
  const settings = normalizeSettings({}).detect;
  const stat = fs.statSync(abs);
  const isSavedModel = stat.isDirectory() && (fs.existsSync(path.join(abs, 'saved_model.pb')) || fs.existsSync(path.join(abs, 'saved_model.pbtxt')));
  const root = stat.isDirectory() && !isSavedModel ? abs : findProjectRoot(path.dirname(abs));
  const desc = await detectProject(new NodeFsReader(root), settings, root);
  if (stat.isDirectory() && !isSavedModel) {
    if (desc.models.length === 1) return { root, desc, model: desc.models[0]!.path };
    const listed = desc.models.map((m) => m.path).join(', ');
    throw new ModelshipError(
      desc.models.length === 0 ? 'NO_MODEL' : 'WHICH_MODEL',
      desc.models.length === 0 ? `no model file found in ${target}` : `${target} holds ${desc.models.length} models (${listed})`,
      desc.models.length === 0 ? 'Run modelship detect to see what was looked at.' : 'Name the one to containerize, e.g. modelship containerize ' + path.join(target, desc.models[0]!.path),
    );
  }
  const model = path.relative(root, abs).split(path.sep).join('/') || '.';
  return { root, desc, model };
}

async function confirmOverwrite(change: PlannedChange): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    for (;;) {
      const answer = (await rl.question(`${change.file.path} differs from what Modelship would write. Overwrite? [y/N/d=show diff] `)).trim().toLowerCase();
      if (answer === 'd') process.stderr.write(change.diff ?? '');
      else return answer === 'y' || answer === 'yes';
    }
  } finally {
    rl.close();
  }
}

/** The closing hint: our own next commands, in the order a user runs them. */
export function nextSteps(root: string): string {
  const dir = path.relative(process.cwd(), root);
  const arg = dir === '' ? '' : ` ${/\s/.test(dir) ? JSON.stringify(dir) : dir}`;
  return `Next: modelship build${arg}, try it with modelship run${arg} and modelship smoke${arg}, then modelship deploy${arg}.`;
}

export async function runContainerize(target: string, flags: ContainerizeFlags): Promise<number> {
  const { root, desc, model } = await locate(target);
  const detected = desc.models.find((m) => m.path === model);
  const modelAbs = path.join(root, model);
  const options: ContainerizeOptions = {
    model,
    gpu: flags.gpu,
    mode: parseMode(flags.mode),
    targets: parseTargets(flags.only),
    offline: flags.offline,
    ...(flags.pipSecrets === false ? { pipSecrets: false } : {}),
    ...(flags.modelUri ? { modelUri: flags.modelUri } : {}),
    ...(flags.image ? { imageRepository: flags.image } : {}),
    ...(flags.baseImage ? { baseImage: flags.baseImage } : {}),
    ...(flags.baseProvides ? { baseProvides: parseBaseProvides(flags.baseProvides) } : {}),
    ...(flags.gpuBaseImage ? { gpuBaseImage: flags.gpuBaseImage } : {}),
    ...(detected && fs.statSync(modelAbs).isFile() ? { modelSha256: await sha256File(modelAbs) } : {}),
  };
  const { spec, files } = scaffold(desc, options);
  const readCurrent = (p: string) => {
    const file = path.join(root, p);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  };
  const recordText = readCurrent(GENERATED_RECORD_PATH);
  debug(() => `containerize: ${recordText === undefined ? `no ${GENERATED_RECORD_PATH} yet: every existing file counts as yours` : `read ${GENERATED_RECORD_PATH}`}`);
  const changes = planChanges(files, readCurrent, parseGeneratedRecord(recordText));

  const written: string[] = [];
  const kept: string[] = [];
  for (const change of changes) {
    debug(() => `containerize: ${change.file.path}: ${change.kind}`);
    if (flags.dryRun || change.kind === 'unchanged') continue;
    const agreed = writesWithoutAsking(change) || flags.force || (process.stdin.isTTY && !flags.json && (await confirmOverwrite(change)));
    if (!agreed) {
      kept.push(change.file.path);
      continue;
    }
    writeFileAtomic(path.join(root, change.file.path), change.file.contents, change.file.mode);
    written.push(change.file.path);
  }
  const record = flags.dryRun ? undefined : nextGeneratedRecord(recordText, changes, new Set(written));
  if (record) writeFileAtomic(path.join(root, record.path), record.contents);

  if (flags.json) {
    process.stdout.write(JSON.stringify({
      root, spec,
      changes: changes.map((c) => ({ path: c.file.path, kind: c.kind, written: written.includes(c.file.path), ...(c.diff ? { diff: c.diff } : {}) })),
    }, null, 2) + '\n');
  } else {
    process.stdout.write(`Serving ${model} (${spec.model.format}, ${spec.model.framework}) as ${spec.image.ref} on port ${spec.port}${spec.gpu.enabled ? ' with a GPU' : ''}, model ${spec.mode === 'bake' ? 'baked into the image' : `mounted from ${spec.modelUri ?? 'a volume'}`}.\n`);
    process.stdout.write(`${flags.dryRun ? 'Plan' : 'Files'} in ${root}:\n${describePlan(changes)}\n`);
    if (flags.dryRun) for (const c of changes) if (c.diff) process.stdout.write(`\n${c.diff}`);
    if (written.length > 0) process.stdout.write(`\nWrote ${written.length} file${written.length === 1 ? '' : 's'}. ${nextSteps(root)}\n`);
  }
  if (kept.length > 0) {
    process.stderr.write(`modelship: kept your version of ${kept.join(', ')}; run with --dry-run to see the differences, or --force to overwrite.\n`);
    return 1;
  }
  return 0;
}
