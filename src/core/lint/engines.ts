/**
 * The per-format linters behind the facade in index.ts. (Until each engine lands, it reports
 * nothing; this file is the single place that wires them in.)
 */
import type { ModelFormat, ProjectDescription } from '../detect/types';
import type { WorkspaceReader } from '../workspaceReader';
import type { Finding, LintSettings } from './types';

export interface DockerfileLintContext {
  file: string;
  settings: LintSettings;
  dockerignore?: string;
  project?: ProjectDescription;
  contextFiles?: { path: string; bytes: number }[];
}

export interface ManifestLintContext {
  file: string;
  settings: LintSettings;
  project?: ProjectDescription;
}

export interface SafetyGlobal {
  module: string;
  name: string;
  offset: number;
  member?: string;
  verdict: 'safe' | 'suspicious' | 'unsafe';
  reason?: string;
}

export interface ModelSafety {
  verdict: 'safe' | 'suspicious' | 'unsafe';
  globals: SafetyGlobal[];
  scannedBytes: number;
  complete: boolean;
  notes: string[];
}

export function lintDockerfile(_text: string, _ctx: DockerfileLintContext): Finding[] {
  return [];
}

export async function lintManifests(_text: string, _ctx: ManifestLintContext): Promise<Finding[]> {
  return [];
}

export async function scanModelSafety(_reader: WorkspaceReader, _path: string, _size: number, _format: ModelFormat): Promise<ModelSafety | undefined> {
  return undefined;
}

export function safetyFindings(_path: string, _safety: ModelSafety): Finding[] {
  return [];
}
