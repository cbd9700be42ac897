/**
 * The one error type core and adapters throw for conditions a user can act on. `code` is stable
 * (tests and the extension branch on it), `message` is one line, `hint` says what to do.
 */
export class ModelshipError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ModelshipError';
  }
}

/** By shape, not `instanceof`: separately bundled commands each carry their own copy of the class. */
export function isModelshipError(error: unknown): error is ModelshipError {
  return error instanceof Error && error.name === 'ModelshipError' && typeof (error as { code?: unknown }).code === 'string';
}
