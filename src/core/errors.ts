/**
 * The one error type core and adapters throw for conditions a user can act on. `code` is stable
 * (tests and the extension branch on it), `message` is one line, `hint` says what to do, and
 * `details` carries supporting lines (a failed step's output, a container's last log lines) for
 * the CLI to print under the message and the extension to put in an output channel.
 */
export class ModelshipError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly details?: readonly string[],
  ) {
    super(message);
    this.name = 'ModelshipError';
  }
}

/** By shape, not `instanceof`: separately bundled commands each carry their own copy of the class. */
export function isModelshipError(error: unknown): error is ModelshipError {
  return error instanceof Error && error.name === 'ModelshipError' && typeof (error as { code?: unknown }).code === 'string';
}

/** How the CLI prints an error: the message, its details as a quoted block, then the hint. */
export function formatModelshipError(error: ModelshipError): string {
  const details = error.details?.length ? error.details.map((line) => `  | ${line}\n`).join('') : '';
  return `modelship: ${error.message}\n${details}${error.hint ? `  ${error.hint}\n` : ''}`;
}
