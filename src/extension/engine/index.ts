/**
 * Engine: Images & Containers. Build, run, smoke-test, push, logs and stop through the Docker
 * Engine API, the view that lists this workspace's images and containers, and the host that loads
 * the engine bundle (dist/engine.js) on first use and refuses engine commands in untrusted
 * workspaces. Uses no sibling capability.
 */
import * as vscode from 'vscode';
import { bindCommands, type BoundCommands, type CommandTable, type Ctx } from '../ctx';
import { EngineHost } from './engineHost';
import type { EngineCommandName, ImagesNode } from './imagesModel';
import { ImagesStore } from './imagesStore';
import { ImagesTreeProvider } from './imagesTreeProvider';

interface EngineServices extends Ctx {
  engine: EngineHost;
  /** What the Images & Containers view shows. */
  images: ImagesStore;
}

/** An engine command: refused in an untrusted workspace, run from the lazily loaded engine bundle. */
const engineCommand = (name: EngineCommandName) => (s: EngineServices) => (target: unknown) => s.engine.run(name, target);

export const COMMANDS: CommandTable<EngineServices> = {
  buildImage: engineCommand('buildImage'),
  runContainer: engineCommand('runContainer'),
  smokeTest: engineCommand('smokeTest'),
  showContainerLogs: engineCommand('showContainerLogs'),
  stopContainer: engineCommand('stopContainer'),
  pushImage: engineCommand('pushImage'),
  openContainer: engineCommand('openContainer'),
  refreshImages: (s) => async () => {
    await s.images.refresh();
    return s.images.latest();
  },
};

export interface Engine {
  engine: EngineHost;
  images: ImagesStore;
  tree: ImagesTreeProvider;
  commands: BoundCommands;
}

export function registerEngine(ctx: Ctx): Engine {
  const engine = ctx.own(new EngineHost(ctx));
  const images = ctx.own(new ImagesStore(engine, ctx.log));
  const tree = ctx.own(new ImagesTreeProvider(images));
  images.attach(ctx.own(vscode.window.createTreeView<ImagesNode>('modelship.images', { treeDataProvider: tree })));
  return { engine, images, tree, commands: bindCommands(COMMANDS, { ...ctx, engine, images }) };
}
