// The error that carries a one-sentence explanation, and the message of anything thrown.
/**
 * A failure the action explains in one sentence that names the problem and says what to do: a
 * mistake in what the user gave it (an input, the URL, the folder) or a state of the database it
 * will not work with (a tracking table that does not fit, a pooler, a lock held too long). Nothing
 * has been written when it is thrown.
 */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/**
 * The message of anything thrown, also of throws that are not `Error`s: a WebAssembly abort or a
 * library can throw a plain object, whose String() is `[object Object]`.
 */
export function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message === 'string' && message) return message;
  if (typeof error === 'string' && error) return error;
  let shown: string;
  try {
    shown = JSON.stringify(error) ?? String(error);
  } catch {
    shown = Object.prototype.toString.call(error);
  }
  if (shown.length > 200) shown = `${shown.slice(0, 200)}…`;
  return `The action stopped on an unexpected error (${error instanceof Error ? error.name : typeof error} ${shown}): please report it at https://github.com/agoat/migrate-action/issues with this log.`;
}
