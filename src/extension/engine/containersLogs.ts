/**
 * "Show Container Logs": a container's output followed into an output channel of its own
 * ("Modelship: <name>"). One follow per container: running the command again restarts it (the
 * channel is cleared and refilled from the tail); a follow ends when the container stops, when the
 * container is stopped from here, or when the extension is disposed. Part of the engine bundle.
 */
import * as vscode from 'vscode';
import type { ContainerSummary } from '../../docker/container';
import { readLogs } from '../../docker/containerLogs';
import type { Engine } from '../../docker/engine';
import type { Logger } from '../log';

/** Lines kept per container for the test API (the channel itself keeps everything). */
const KEPT_LINES = 500;
const TAIL = 200;

interface Follow {
  controller: AbortController;
  done: Promise<void>;
}

export interface LogsShown {
  name: string;
  /** The output channel's name. */
  channel: string;
  /** Whether new lines keep arriving (the container is running). */
  following: boolean;
}

export class ContainerLogs implements vscode.Disposable {
  private readonly channels = new Map<string, vscode.OutputChannel>();
  private readonly follows = new Map<string, Follow>();
  private readonly kept = new Map<string, string[]>();

  constructor(private readonly log: Logger) {}

  private channelFor(name: string): vscode.OutputChannel {
    let channel = this.channels.get(name);
    if (!channel) {
      // The modelship-log grammar colours timestamps, levels, status codes and tracebacks.
      channel = vscode.window.createOutputChannel(`Modelship: ${name}`, 'modelship-log');
      this.channels.set(name, channel);
    }
    return channel;
  }

  /** Shows the container's last lines and, while it runs, follows it; restarts an earlier follow of it. */
  async show(engine: Engine, container: ContainerSummary): Promise<LogsShown> {
    await this.stop(container.id);
    const channel = this.channelFor(container.name);
    channel.clear();
    channel.show(true);
    const lines: string[] = [];
    this.kept.set(container.name, lines);
    const following = container.state === 'running';
    const controller = new AbortController();
    const append = (line: string): void => {
      channel.appendLine(line);
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
    };
    const done = readLogs(engine, container.id, (line) => append(line), { tail: TAIL, follow: following, signal: controller.signal }).then(
      () => {
        if (following && !controller.signal.aborted) append(`--- ${container.name} stopped; no longer following its logs ---`);
      },
      (error: unknown) => {
        if (!controller.signal.aborted) {
          this.log.warn(`logs of ${container.name}: ${(error as Error).message}`);
          append(`--- could not read the logs of ${container.name}: ${(error as Error).message} ---`);
        }
      },
    ).finally(() => {
      if (this.follows.get(container.id)?.controller === controller) this.follows.delete(container.id);
    });
    this.follows.set(container.id, { controller, done });
    if (!following) await done;
    return { name: container.name, channel: `Modelship: ${container.name}`, following };
  }

  /** Ends the follow of a container, if one runs. */
  async stop(id: string): Promise<void> {
    const follow = this.follows.get(id);
    if (!follow) return;
    follow.controller.abort();
    await follow.done;
  }

  /** The lines shown for a container (at most the last 500), for the test API. */
  linesOf(name: string): readonly string[] | undefined {
    return this.kept.get(name);
  }

  /** Whether a follow of the container runs. */
  isFollowing(id: string): boolean {
    return this.follows.has(id);
  }

  dispose(): void {
    for (const follow of this.follows.values()) follow.controller.abort();
    this.follows.clear();
    for (const channel of this.channels.values()) channel.dispose();
    this.channels.clear();
  }
}
