/**
 * How a command flow's error reaches the command wrapper: CANCELLED becomes VS Code's
 * CancellationError (no message), and a multi-line message keeps its first line for the
 * notification while the log gets all of it (a container's last log lines, a file's problems).
 */
import * as vscode from 'vscode';
import { ModelshipError, isModelshipError } from '../../core/errors';
import type { Logger } from '../log';

/** Runs `flow`; rethrows its error as the notification should show it. */
export async function runFlow<T>(title: string, log: Logger, flow: () => Promise<T>): Promise<T> {
  try {
    return await flow();
  } catch (error) {
    if (isModelshipError(error) && error.code === 'CANCELLED') throw new vscode.CancellationError();
    if (isModelshipError(error) && error.message.includes('\n')) {
      log.error(`${title}: ${error.message}`);
      throw new ModelshipError(error.code, error.message.slice(0, error.message.indexOf('\n')), error.hint ?? 'The details are in the Modelship log.');
    }
    throw error;
  }
}
