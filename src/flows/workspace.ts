/** Finds the project a command acts on: the folder at or above a path that holds the generated Dockerfile. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelshipError } from '../core/errors';
import { readShipTarget, type ShipTarget } from '../core/ship';

/** A project folder and what its Dockerfile ships. */
export interface Workspace {
  dir: string;
  target: ShipTarget;
}

/** The folder at or above `start` holding a Dockerfile (a file argument starts at its folder). */
export function findWorkspace(start: string, tag?: string, dockerfile = 'Dockerfile'): Workspace {
  const absolute = path.resolve(start);
  if (!fs.existsSync(absolute)) throw new ModelshipError('NOT_FOUND', `${start} does not exist`);
  let dir = fs.statSync(absolute).isDirectory() ? absolute : path.dirname(absolute);
  for (;;) {
    const file = path.join(dir, dockerfile);
    if (fs.existsSync(file)) return { dir, target: readShipTarget(fs.readFileSync(file, 'utf8'), dockerfile.split(path.sep).join('/'), tag) };
    const parent = path.dirname(dir);
    if (parent === dir || fs.existsSync(path.join(dir, '.git'))) break;
    dir = parent;
  }
  throw new ModelshipError('NO_DOCKERFILE', `No ${dockerfile} in ${start} or the folders above it.`, `Generate one first: modelship containerize ${start}`);
}
