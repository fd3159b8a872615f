/**
 * A mistake in what the user gave the action (an input, the URL, the folder): the message is one
 * sentence that names the problem and says what to do. Nothing has been written when it is thrown.
 */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** The message of anything thrown, also of throws that are not `Error`s. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
