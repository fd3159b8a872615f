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

/** The message of anything thrown, also of throws that are not `Error`s. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
