// Helpers for the Dockerfile lint tests: fixture contexts (test/fixtures/lint/dockerfile/README.md),
// a ProjectDescription built from them, and applying a fix's edits to text.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectedModel, ProjectDescription, Requirement } from '../../../src/core/detect/types';
import { analyzeDockerfile, lintDockerfile, type DockerfileLintContext } from '../../../src/core/lint/dockerfile';
import { DEFAULT_LINT_SETTINGS, type Finding, type LintSettings, type TextEdit } from '../../../src/core/lint/types';

export const FIXTURES = join(__dirname, '../../fixtures/lint/dockerfile');

/** What a fixture folder's context.json holds (all optional; merged over the default). */
export interface FixtureContext {
  file?: string;
  dockerignore?: string | null;
  contextFiles?: { path: string; bytes: number }[] | null;
  models?: (Partial<DetectedModel> & { path: string })[];
  requirements?: Record<string, string[]>;
  options?: { option: string; value: string; source: string }[];
  python?: string;
  /** Other rules the bad fixture triggers on purpose. */
  alsoTriggers?: string[];
  /** Leave the project out of the context. */
  noProject?: boolean;
}

/** The default context, then the folder's context.json, then (for `name`) its `<name>.context.json`. */
export function readContext(dir?: string, name?: 'bad' | 'good'): FixtureContext {
  const read = (path: string): FixtureContext => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as FixtureContext) : {});
  const base = read(join(FIXTURES, 'context.json'));
  const own = dir ? read(join(FIXTURES, dir, 'context.json')) : {};
  const named = dir && name ? read(join(FIXTURES, dir, `${name}.context.json`)) : {};
  return { ...base, ...own, ...named };
}

/** Requirement lines as detection would record them (`pinned` for `==x` without wildcard). */
export function requirements(source: string, lines: string[]): Requirement[] {
  return lines.map((text, i) => {
    const [, name = '', extras = '', specifier = ''] = /^([A-Za-z0-9._-]+)(?:\[([^\]]*)\])?(.*)$/.exec(text) ?? [];
    return {
      name, normalizedName: name.toLowerCase().replace(/[-_.]+/g, '-'), specifier, pinned: /^===?[^*,]+$/.test(specifier),
      extras: extras ? extras.split(',') : [], source, line: i + 1,
    };
  });
}

export function projectOf(fixture: FixtureContext): ProjectDescription {
  const reqs = fixture.requirements ?? {};
  return {
    root: '/fixture',
    models: (fixture.models ?? []).map((m) => ({ format: 'pickle', framework: 'unknown', bytes: 0, evidence: 'fixture', ...m }) as DetectedModel),
    requirements: {
      files: Object.keys(reqs).map((path) => ({ path, kind: 'requirements.txt' as const })),
      packages: Object.entries(reqs).flatMap(([source, lines]) => requirements(source, lines)),
      options: (fixture.options ?? []).map((o, i) => ({ ...o, line: i + 1 })),
      conda: [],
    },
    python: { version: fixture.python ?? '3.11', source: '.python-version' },
    problems: [],
  };
}

export function contextOf(fixture: FixtureContext, settings: LintSettings = DEFAULT_LINT_SETTINGS): DockerfileLintContext {
  const ctx: DockerfileLintContext = { file: fixture.file ?? 'Dockerfile', settings };
  if (typeof fixture.dockerignore === 'string') ctx.dockerignore = fixture.dockerignore;
  if (fixture.contextFiles) ctx.contextFiles = fixture.contextFiles;
  if (!fixture.noProject) ctx.project = projectOf(fixture);
  return ctx;
}

/** Raw findings (no ignore comments or settings), with any check's exception surfacing. */
export function raw(text: string, ctx: DockerfileLintContext = contextOf(readContext())): Finding[] {
  return analyzeDockerfile(text, ctx, { rethrow: true });
}

export function lint(text: string, ctx: DockerfileLintContext = contextOf(readContext())): Finding[] {
  return lintDockerfile(text, ctx);
}

export function fixture(dir: string, name: 'bad' | 'good'): string {
  return readFileSync(join(FIXTURES, dir, `${name}.Dockerfile`), 'utf8');
}

/** Applies edits (zero-based positions, `\n` line breaks), last first so earlier offsets hold. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const offset = (p: { line: number; character: number }): number => (starts[p.line] ?? text.length) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

export const ids = (findings: Finding[]): string[] => [...new Set(findings.map((f) => f.ruleId))].sort();
export const of = (findings: Finding[], id: string): Finding[] => findings.filter((f) => f.ruleId === id);
export const at = (f: Finding | undefined): string => (f ? `${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character}` : 'none');
