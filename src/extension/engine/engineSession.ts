/**
 * The engine side of the extension, created on the first engine command or the first look at the
 * Images & Containers view (never at activation), and disposed with the extension: one engine
 * connection (made again after a failure), the "Modelship Build" output channel (created on the
 * first build), the container log follows, and the workspace's Modelship Dockerfiles (found again
 * on an explicit refresh, a Dockerfile event or after 30 s, not on every poll). Part of the engine bundle.
 */
import * as vscode from 'vscode';
import { isModelshipError } from '../../core/errors';
import { connectEngine, type Engine } from '../../docker/engine';
import { ContainerLogs } from './containersLogs';
import type { Ctx } from '../ctx';
import { findShipProjects, type ShipProject } from './engineTargets';
import type { EngineState } from './imagesModel';

/** How long the list of Modelship Dockerfiles is reused by the view's polls (a Dockerfile event drops it sooner). */
const PROJECTS_TTL_MS = 30_000;

/** Engine error codes that mean the engine itself went away (not that one request failed). */
const LOST = new Set(['ENGINE_UNREACHABLE', 'ENGINE_TLS', 'ENGINE_LOST']);

export class EngineSession implements vscode.Disposable {
  private connection: Promise<Engine> | undefined;
  private buildChannel: vscode.OutputChannel | undefined;
  private projects: { at: number; list: Promise<ShipProject[]> } | undefined;
  private watchers: vscode.Disposable[] | undefined;
  readonly logs: ContainerLogs;

  constructor(
    readonly ctx: Ctx,
    private readonly onState: (state: EngineState, message?: string) => void,
  ) {
    this.logs = new ContainerLogs(ctx.log);
  }

  /** The connected engine; the first call (and the first after a failure) finds and asks it. */
  engine(): Promise<Engine> {
    this.connection ??= connectEngine().then(
      (engine) => {
        this.ctx.log.info(`engine: ${engine.endpoint.display}, API ${engine.apiVersion}, ${engine.serverVersion}${engine.buildKit ? ', BuildKit' : ''}`);
        this.onState('reachable');
        return engine;
      },
      (error: unknown) => {
        this.connection = undefined;
        this.unreachable(error);
        throw error;
      },
    );
    return this.connection;
  }

  /** Forgets the connection when `error` says the engine went away, so the next call finds it again. */
  failed(error: unknown): void {
    const code = isModelshipError(error) ? error.code : (error as NodeJS.ErrnoException)?.code;
    if (code && (LOST.has(code) || code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EPIPE' || code === 'ECONNRESET')) {
      this.connection = undefined;
      this.unreachable(error);
    }
  }

  private unreachable(error: unknown): void {
    const hint = (error as { hint?: unknown }).hint;
    this.onState('unreachable', `${(error as Error)?.message ?? String(error)}${typeof hint === 'string' ? ` ${hint}` : ''}`);
  }

  /** The workspace's Modelship projects; `rescan` looks again even when the last look is recent. */
  shipProjects(rescan: boolean): Promise<ShipProject[]> {
    if (!this.watchers) {
      const watcher = vscode.workspace.createFileSystemWatcher('**/Dockerfile');
      const drop = (): void => {
        this.projects = undefined;
      };
      this.watchers = [watcher, watcher.onDidCreate(drop), watcher.onDidChange(drop), watcher.onDidDelete(drop), vscode.workspace.onDidChangeWorkspaceFolders(drop)];
    }
    if (rescan || !this.projects || Date.now() - this.projects.at > PROJECTS_TTL_MS) {
      const list = findShipProjects((m) => this.ctx.log.debug(`images: ${m}`));
      this.projects = { at: Date.now(), list };
      list.catch(() => {
        if (this.projects?.list === list) this.projects = undefined;
      });
    }
    return this.projects.list;
  }

  /** The "Modelship Build" channel, created on first use. */
  buildOutput(): vscode.OutputChannel {
    this.buildChannel ??= vscode.window.createOutputChannel('Modelship Build');
    return this.buildChannel;
  }

  dispose(): void {
    for (const w of this.watchers ?? []) w.dispose();
    this.logs.dispose();
    this.buildChannel?.dispose();
  }
}
