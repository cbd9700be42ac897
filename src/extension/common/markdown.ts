/** Escapes workspace text for a MarkdownString (no HTML, no links, no emphasis): tooltips show file names and messages as they are. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&').replace(/\r?\n/g, ' ');
}
