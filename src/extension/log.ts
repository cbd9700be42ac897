/**
 * The extension's levelled log: one "Modelship" LogOutputChannel, reached through the small
 * `Logger` interface so that code shared with the CLI never sees `vscode`. No `console.*` here.
 */
import * as vscode from 'vscode';

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error, ...details: unknown[]): void;
}

export interface ExtensionLog extends Logger, vscode.Disposable {
  show(): void;
}

/** Creates the "Modelship" log channel; the caller owns (and disposes) it. */
export function createLog(): ExtensionLog {
  const channel = vscode.window.createOutputChannel('Modelship', { log: true });
  return {
    trace: (m) => channel.trace(m),
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m, ...details) => channel.error(m, ...details),
    show: () => channel.show(true),
    dispose: () => channel.dispose(),
  };
}

/** The one-line text of an error, for a notification; the log gets the full error. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}
