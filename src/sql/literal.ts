// Quoting a value as an SQL string literal. Pure.

/** A string literal, safe whatever the text and whatever standard_conforming_strings says. */
export function literal(text: string): string {
  const quoted = `'${text.replaceAll("'", "''")}'`;
  return text.includes('\\') ? `E${quoted.replaceAll('\\', '\\\\')}` : quoted;
}
