/**
 * The extension.js side of the engine commands: refuses them in an untrusted workspace, loads the
 * engine bundle on first use (never at activation), runs the command's flow there and keeps the
 * `modelship.engine` context key in step with whether the engine answered. Owns the EngineSession
 * (connection, build channel, log follows) and disposes it with the extension.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { ModelshipError } from '../../core/errors';
import { setContextKey } from '../common/contextKey';
import { runFlow } from '../common/flowErrors';
import type { Ctx } from '../ctx';
import type { EngineSession } from './engineSession';
import { ENGINE_COMMAND_TITLES, type EngineCommandName, type EngineState, type ImagesSnapshot } from './imagesModel';

export const ENGINE_STATE_KEY = 'modelship.engine';

type EngineBundle = typeof import('./engineBundle');
let bundle: EngineBundle | undefined;

/**
 * Loads dist/engine.js once: dockerode and the command flows that use it. Called on the first
 * engine command or when the Images & Containers view first shows, never at activation. The
 * computed path keeps esbuild from inlining the bundle into extension.js.
 */
function loadEngine(): EngineBundle {
  bundle ??= require(path.join(__dirname, 'engine.js')) as EngineBundle;
  return bundle;
}

export class EngineHost implements vscode.Disposable {
  private session: EngineSession | undefined;
  private state: EngineState | undefined;
  private readonly emitter = new vscode.EventEmitter<EngineCommandName>();
  /** Fires after each engine command, whether it worked or not (the images view refreshes). */
  readonly onDidRunCommand = this.emitter.event;

  constructor(private readonly ctx: Ctx) {
    this.setState('unknown');
  }

  /** Whether engine commands may run: the workspace is trusted (or a test said so). */
  get trusted(): boolean {
    return this.ctx.overrides.trusted ?? vscode.workspace.isTrusted;
  }

  private open(): EngineSession {
    if (!this.session) {
      const { EngineSession } = loadEngine();
      this.session = new EngineSession(this.ctx, (state) => this.setState(state));
    }
    return this.session;
  }

  /** Runs `modelship.<name>` on `arg`; resolves what the flow returned. */
  async run(name: EngineCommandName, arg: unknown): Promise<unknown> {
    const title = ENGINE_COMMAND_TITLES[name];
    if (!this.trusted) {
      throw new ModelshipError('UNTRUSTED', `${title} needs a trusted workspace: it builds and runs this project's code in a container.`, 'Trust the workspace (Workspaces: Manage Workspace Trust) to use engine commands.');
    }
    try {
      return await runFlow(title, this.ctx.log, () => loadEngine().ENGINE_COMMANDS[name](this.open(), arg));
    } finally {
      this.emitter.fire(name);
    }
  }

  /** What the Images & Containers view shows now (nothing in an untrusted workspace); `rescan` looks for Dockerfiles again. */
  async snapshot(rescan = true): Promise<ImagesSnapshot> {
    if (!this.trusted) {
      this.setState('untrusted');
      return { engine: 'untrusted', projects: [] };
    }
    const snapshot = await loadEngine().readImagesSnapshot(this.open(), rescan);
    this.setState(snapshot.engine);
    return snapshot;
  }

  /** The lines the log channel of container `name` received (the last 500), for the test API. */
  logLines(name: string): readonly string[] | undefined {
    return this.session?.logs.linesOf(name);
  }

  /** Drops the engine session (connection, channels, follows); the next use starts a new one. */
  reset(): void {
    this.session?.dispose();
    this.session = undefined;
    this.setState('unknown');
  }

  setState(state: EngineState): void {
    if (state === this.state) return;
    this.state = state;
    setContextKey(ENGINE_STATE_KEY, state);
  }

  dispose(): void {
    this.session?.dispose();
    this.emitter.dispose();
  }
}
