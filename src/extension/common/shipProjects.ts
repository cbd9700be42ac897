/**
 * What an engine or deploy command acts on: the project of a Dockerfile the user pointed at
 * (Explorer, editor title, a tree item), or, with nothing given, the workspace's Modelship
 * Dockerfiles (one is used as is, several are offered in a quick pick). A project is a folder
 * holding a Dockerfile; what it builds and serves is read from the Dockerfile's labels
 * (readShipTarget), the way the CLI finds it. Part of the engine and deploy bundles, never of
 * extension.js.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ModelshipError } from '../../core/errors';
import { readShipTarget, type ShipTarget } from '../../core/ship';
import type { Prompter } from '../prompter';

/** A project folder and what its Dockerfile ships. */
export interface ShipProject {
  /** The workspace folder holding it, when it is inside one. */
  folder?: vscode.WorkspaceFolder;
  /** Absolute path of the project (the build context). */
  dir: string;
  dockerfile: vscode.Uri;
  target: ShipTarget;
  /** Whether the Dockerfile builds on a CUDA image. */
  gpu: boolean;
}

const DOCKERFILE = 'Dockerfile';
/** Folders never searched for Dockerfiles (dependencies, environments, caches). */
const SKIP = '**/{node_modules,.git,.venv,venv,env,__pycache__,.tox,site-packages}/**';
const MAX_DOCKERFILES = 200;

/** Whether the Dockerfile's stages build FROM a CUDA image (or its labels name one as the base). */
export function isGpuDockerfile(text: string): boolean {
  return /^\s*FROM\s+(?:--\S+\s+)*\S*cuda/im.test(text) || /org\.opencontainers\.image\.base\.name="[^"]*cuda/i.test(text);
}

/** The project of the Dockerfile at `uri`; a Dockerfile Modelship did not generate must still name its image. */
export function projectOf(uri: vscode.Uri): ShipProject {
  if (uri.scheme !== 'file') {
    throw new ModelshipError('NOT_LOCAL', `${uri.toString()} is not a local file: building and running images need the project on this machine's disk.`);
  }
  let text: string;
  try {
    text = fs.readFileSync(uri.fsPath, 'utf8');
  } catch (error) {
    throw new ModelshipError('NO_DOCKERFILE', `Cannot read ${uri.fsPath}: ${(error as Error).message}`);
  }
  let target: ShipTarget;
  try {
    target = readShipTarget(text, DOCKERFILE);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'NO_IMAGE_REF') throw error;
    throw new ModelshipError('NO_IMAGE_REF', `${vscode.workspace.asRelativePath(uri)} does not say which image it builds (it has no io.modelship.image label).`, 'Generate it with "Modelship: Containerize", or add LABEL io.modelship.image="NAME:TAG" to it.');
  }
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return { ...(folder ? { folder } : {}), dir: path.dirname(uri.fsPath), dockerfile: uri, target, gpu: isGpuDockerfile(text) };
}

/** The Dockerfile at or above `uri` (a file starts at its folder), not above its workspace folder. */
function dockerfileAtOrAbove(uri: vscode.Uri): vscode.Uri {
  const start = uri.fsPath;
  if (path.basename(start) === DOCKERFILE && fs.existsSync(start)) return uri;
  const root = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
  let dir = fs.existsSync(start) && fs.statSync(start).isDirectory() ? start : path.dirname(start);
  for (;;) {
    const candidate = path.join(dir, DOCKERFILE);
    if (fs.existsSync(candidate)) return vscode.Uri.file(candidate);
    const parent = path.dirname(dir);
    if (parent === dir || dir === root || (!root && fs.existsSync(path.join(dir, '.git')))) break;
    dir = parent;
  }
  throw new ModelshipError('NO_DOCKERFILE', `No Dockerfile in ${vscode.workspace.asRelativePath(uri)} or the folders above it.`, 'Generate one with "Modelship: Containerize" on the model.');
}

/** Every Dockerfile Modelship generated in the open workspace folders (local ones), by path. */
export async function findShipProjects(log?: (message: string) => void): Promise<ShipProject[]> {
  const uris = await vscode.workspace.findFiles(`**/${DOCKERFILE}`, SKIP, MAX_DOCKERFILES);
  const projects: ShipProject[] = [];
  for (const uri of uris) {
    if (uri.scheme !== 'file') continue;
    try {
      const project = projectOf(uri);
      if (project.target.generated) projects.push(project);
    } catch (error) {
      log?.(`${uri.fsPath}: ${(error as Error).message}`);
    }
  }
  return projects.sort((a, b) => a.dir.localeCompare(b.dir));
}

/** The workspace-relative folder of a project, '' for a folder's root. */
export function relativeDir(project: ShipProject): string {
  if (!project.folder) return project.dir;
  const rel = path.relative(project.folder.uri.fsPath, project.dir).split(path.sep).join('/');
  return rel === '' ? '' : rel;
}

/**
 * The project a command was invoked on: a Dockerfile (or any file or folder inside a project), a
 * tree node (`dockerfileOf` says which Dockerfile a capability's node stands for), or nothing (the
 * workspace's Modelship Dockerfiles).
 */
export async function resolveShipProject(arg: unknown, prompter: Prompter, title: string, dockerfileOf: (arg: unknown) => string | undefined = () => undefined): Promise<ShipProject> {
  const nodeDockerfile = dockerfileOf(arg);
  if (nodeDockerfile) return projectOf(vscode.Uri.file(nodeDockerfile));
  if (arg instanceof vscode.Uri) return projectOf(dockerfileAtOrAbove(arg));
  const projects = await findShipProjects();
  if (projects.length === 0) {
    throw new ModelshipError('NO_DOCKERFILE', 'No Dockerfile generated by Modelship in this workspace.', 'Run "Modelship: Containerize" on a model first, or run this command from a Dockerfile.');
  }
  if (projects.length === 1) return projects[0]!;
  const chosen = await prompter.pickOne(
    projects.map((p) => ({ label: relativeDir(p) || p.folder?.name || p.dir, description: p.target.imageRef, value: p })),
    { title: `Modelship: ${title}`, placeholder: 'This workspace has several Modelship Dockerfiles: choose one' },
  );
  if (!chosen) throw new vscode.CancellationError();
  return chosen;
}
