/**
 * `modelship lint [PATHS] [--format text|json|sarif]`: the verdicts the editor shows, for CI.
 * Dockerfiles and Kubernetes manifests are linted file by file and across files; pickle-family
 * models are scanned (statically, streaming) for code that would run on load.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectProject } from '../../core/detect';
import { ModelshipError } from '../../core/errors';
import { configureFindings, lintableKind, lintFile, manifestTooLarge, safetyFindings, scanModelSafety, type Finding, type LintSettings } from '../../core/lint';
import { lintCrossFile, type ProjectFile } from '../../core/lint/project/crossFile';
import { normalizeSettings } from '../../core/settings';
import { excludeMatcher } from '../../core/detect/walkProject';
import { NodeFsReader } from '../../platform/nodeFsReader';
import { findingsJson, findingsSarif, findingsText } from '../formatFindings';
import { findProjectRoot } from './containerize';

export interface LintFlags {
  format: string;
  kubernetesVersion?: string;
  disable?: string;
}

const PICKLE_FAMILY = new Set(['pickle', 'joblib', 'pytorch', 'torchscript', 'numpy']);
/** Files this large are not read whole; a manifest among them is reported as not checked. */
const MAX_LINT_BYTES = 4 * 1024 * 1024;
const HEAD_BYTES = 64 * 1024;

/** The first bytes of a file, as text (enough to tell a manifest by its apiVersion and kind). */
function readHead(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    return buffer.subarray(0, fs.readSync(fd, buffer, 0, HEAD_BYTES, 0)).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** Appends in a loop: `push(...items)` overflows the stack past about 100,000 items. */
function append(to: Finding[], items: Finding[]): void {
  for (const item of items) to.push(item);
}

/** Files under `dir` (project-relative to `root`), skipping excluded folders, with their sizes. */
function listFiles(root: string, dir: string, excluded: (name: string, rel: string) => boolean, out: { path: string; bytes: number }[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, entry.name);
    const rel = path.relative(root, abs).split(path.sep).join('/');
    if (entry.isDirectory()) {
      if (!excluded(entry.name, rel)) listFiles(root, abs, excluded, out);
    } else if (entry.isFile()) {
      out.push({ path: rel, bytes: fs.statSync(abs).size });
    }
  }
}

export async function runLint(targets: string[], flags: LintFlags): Promise<number> {
  if (!['text', 'json', 'sarif'].includes(flags.format)) throw new ModelshipError('BAD_FORMAT', `--format must be text, json or sarif, not ${flags.format}`);
  const paths = (targets.length > 0 ? targets : ['.']).map((t) => path.resolve(t));
  for (const p of paths) if (!fs.existsSync(p)) throw new ModelshipError('PATH_NOT_FOUND', `${path.relative(process.cwd(), p) || p}: no such file or folder`);
  const first = paths[0]!;
  const root = fs.statSync(first).isDirectory() ? first : findProjectRoot(path.dirname(first));
  const settings = normalizeSettings({ lint: { ...(flags.kubernetesVersion ? { kubernetesVersion: flags.kubernetesVersion } : {}), ...(flags.disable ? { disabled: flags.disable.split(',') } : {}) } });
  const lint: LintSettings = settings.lint;

  const all: { path: string; bytes: number }[] = [];
  listFiles(root, root, excludeMatcher(settings.detect.exclude), all);
  const inScope = (rel: string): boolean => paths.some((p) => {
    const abs = path.join(root, rel);
    return abs === p || abs.startsWith(p + path.sep);
  });
  const reader = new NodeFsReader(root);
  const project = await detectProject(reader, settings.detect, root);

  const files: ProjectFile[] = [];
  const findings: Finding[] = [];
  for (const file of all.filter((f) => inScope(f.path) && lintableKind(f.path) !== undefined)) {
    if (file.bytes >= MAX_LINT_BYTES) {
      if (lintableKind(file.path, readHead(path.join(root, file.path))) === 'kubernetes') append(findings, configureFindings([manifestTooLarge(file.path, file.bytes, MAX_LINT_BYTES)], undefined, lint));
      continue;
    }
    const text = fs.readFileSync(path.join(root, file.path), 'utf8');
    if (!lintableKind(file.path, text)) continue;
    files.push({ path: file.path, text });
    const dir = file.path.includes('/') ? file.path.slice(0, file.path.lastIndexOf('/')) : '';
    const ignoreFile = path.join(root, dir, '.dockerignore');
    append(findings, await lintFile({
      file: file.path, text, settings: lint, project,
      ...(fs.existsSync(ignoreFile) ? { dockerignore: fs.readFileSync(ignoreFile, 'utf8') } : {}),
      // Project-relative, like every path in a finding; the build context is the Dockerfile's folder.
      contextFiles: all.filter((f) => dir === '' || f.path.startsWith(`${dir}/`)),
    }));
  }
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const crossByFile = new Map<string, Finding[]>();
  for (const f of lintCrossFile(files, project)) {
    const list = crossByFile.get(f.file);
    if (list) list.push(f);
    else crossByFile.set(f.file, [f]);
  }
  for (const [file, list] of crossByFile) append(findings, configureFindings(list, texts.get(file), lint));
  for (const model of project.models.filter((m) => PICKLE_FAMILY.has(m.format) && inScope(m.path))) {
    const safety = await scanModelSafety(reader, model.path, model.bytes, model.format);
    if (safety) append(findings, configureFindings(safetyFindings(model.path, safety), undefined, lint));
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.range.start.line - b.range.start.line || a.ruleId.localeCompare(b.ruleId));

  const out = flags.format === 'json' ? findingsJson(findings) : flags.format === 'sarif' ? findingsSarif(findings, '0.1.0') : findingsText(findings);
  process.stdout.write(out + '\n');
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}
