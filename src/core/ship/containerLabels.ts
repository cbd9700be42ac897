/**
 * Labels Modelship puts on the containers it starts, so `stop`, `smoke`, `logs` and the
 * "Images & Containers" view find a workspace's containers again without any state file.
 */
import { createHash } from 'node:crypto';

export const CONTAINER_LABELS = {
  /** A short hash of the project's absolute path: one project, one key, whatever its name. */
  project: 'io.modelship.project',
  /** The project's absolute path, for people reading `docker ps`. */
  projectPath: 'io.modelship.project.path',
  /** The ship target's service name. */
  name: 'io.modelship.name',
  /** Whether the container was started with a GPU request. */
  gpu: 'io.modelship.gpu',
} as const;

/** The project key of an absolute project path (POSIX or Windows; trailing separators ignored). */
export function projectKey(absoluteProjectPath: string): string {
  const normalised = absoluteProjectPath.replace(/[\\/]+$/, '') || absoluteProjectPath;
  return createHash('sha256').update(normalised).digest('hex').slice(0, 12);
}

/** The container name for a project's service: stable, so a second `run` replaces the first. */
export function containerName(serviceName: string, absoluteProjectPath: string): string {
  const safe = serviceName.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'model';
  return `modelship-${safe}-${projectKey(absoluteProjectPath).slice(0, 6)}`;
}
