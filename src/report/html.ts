// Escaping text for the summary, which is HTML throughout. Pure.

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '|': '&#124;',
};

/**
 * Escapes text for the summary, which is HTML throughout (GitHub does not read Markdown inside
 * an HTML block), so a file name or an error message can never break the table.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'|]/g, (c) => HTML_ESCAPES[c] ?? c);
}
