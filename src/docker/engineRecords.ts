/** Small readers shared by the parsers of the engine's JSON progress streams (build, push). */

/** The message of an {errorDetail, error} record, or of an HTTP error body ({message}). */
export function errorMessage(record: Record<string, unknown>): string | undefined {
  if (isObject(record.errorDetail) && typeof record.errorDetail.message === 'string') return record.errorDetail.message;
  if (typeof record.error === 'string') return record.error;
  if (typeof record.message === 'string' && Object.keys(record).length === 1) return record.message;
  return undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
