/**
 * What an engine command acts on: common/shipProjects.ts finds the project; this file knows the
 * Images & Containers view's nodes (an image stands for its project's Dockerfile). Part of the
 * engine bundle.
 */
import { resolveShipProject, type ShipProject } from '../common/shipProjects';
import type { Prompter } from '../prompter';
import type { ImagesNode } from './imagesModel';

export { findShipProjects, isGpuDockerfile, relativeDir, type ShipProject } from '../common/shipProjects';

function isNode(value: unknown): value is ImagesNode {
  const kind = (value as { kind?: unknown } | undefined)?.kind;
  return (kind === 'image' || kind === 'container') && typeof (value as { project?: { dockerfile?: unknown } }).project?.dockerfile === 'string';
}

/** The project of an Explorer resource, an Images & Containers node, or (nothing given) the workspace's. */
export function resolveProject(arg: unknown, prompter: Prompter, title: string): Promise<ShipProject> {
  return resolveShipProject(arg, prompter, title, (a) => (isNode(a) ? a.project.dockerfile : undefined));
}

/** The container node a command was invoked on, if it was. */
export function containerArg(arg: unknown): (ImagesNode & { kind: 'container' }) | undefined {
  return isNode(arg) && arg.kind === 'container' ? arg : undefined;
}
