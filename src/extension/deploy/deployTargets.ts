/**
 * The projects this workspace can deploy and where each environment of each goes, read without
 * the Kubernetes client (through the detection bundle: the Dockerfile's labels, the environments
 * file, the `modelship.deploy.*` settings). The status bar, the Deployments view and every cluster
 * command start here, so all three agree on the target.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { EditorTarget } from '../../core/deploy/editorTargets';
import type { Environment } from '../../core/scaffold/k8s/environments';
import { loadDetection } from '../common/loadDetection';
import type { ShipProject } from '../common/shipProjects';
import type { ModelshipConfig } from '../config';

export const DEPLOY_ENVIRONMENTS: readonly Environment[] = ['dev', 'staging', 'prod'];
const ENVIRONMENT_KEY = 'modelship.deploy.environment';

/** A project and its environments' targets. */
export interface ProjectTargets {
  project: ShipProject;
  targets: Partial<Record<Environment, EditorTarget>>;
  /** `file:line: message` for each problem of the environments file or the settings. */
  problems: string[];
  /** Absolute path of the project's environments file (it may not exist yet). */
  environmentsFile: string;
}

export function isEnvironment(value: unknown): value is Environment {
  return typeof value === 'string' && (DEPLOY_ENVIRONMENTS as readonly string[]).includes(value);
}

/** The environment the status bar points at and commands without one use (staging until the user switches). */
export function selectedEnvironment(memento: vscode.Memento): Environment {
  const value = memento.get<unknown>(ENVIRONMENT_KEY);
  return isEnvironment(value) ? value : 'staging';
}

export function selectEnvironment(memento: vscode.Memento, env: Environment): Thenable<void> {
  return memento.update(ENVIRONMENT_KEY, env);
}

/** The targets of one project, reading its environments file now. */
export function targetsOf(project: ShipProject, config: ModelshipConfig): ProjectTargets {
  const { editorTargets, ENVIRONMENTS_FILE } = loadDetection();
  const environmentsFile = path.join(project.dir, ENVIRONMENTS_FILE);
  let text: string | undefined;
  try {
    text = fs.readFileSync(environmentsFile, 'utf8');
  } catch {
    text = undefined;
  }
  const relative = vscode.workspace.asRelativePath(environmentsFile);
  const resolved = editorTargets(project.target.name, text, config.deploySettings(project.folder), relative);
  return { project, targets: resolved.targets, problems: resolved.problems, environmentsFile };
}

/** Every Modelship project of the workspace with its targets. */
export async function readProjectTargets(config: ModelshipConfig, log?: (message: string) => void): Promise<ProjectTargets[]> {
  const projects = await loadDetection().findShipProjects(log);
  return projects.map((project) => targetsOf(project, config));
}
