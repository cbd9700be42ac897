/** Layout of Dockerfile text: wrapped comments and instructions continued over several lines. */
import { copyDestination, copySource, jsonArray } from './syntax';

const WIDTH = 100;

/** `text` as `# ` comment lines no wider than WIDTH (a word longer than that gets its own line). */
export function commentLines(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '#' && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/** `KEYWORD a b c`, one part per line after the first, as Docker's own docs lay out ENV and LABEL. */
export function instruction(keyword: string, parts: string[]): string {
  const indent = ' '.repeat(keyword.length + 1);
  return `${keyword} ${parts.join(` \\\n${indent}`)}`;
}

/** One RUN for several shell commands, joined with `&&` so the first failure stops the build. */
export function runAll(commands: string[]): string {
  return `RUN ${commands.join(' \\\n && ')}`;
}

/** COPY in JSON form, which keeps spaces in paths; sources are matched literally. */
export function copyJson(sources: string[], dest: string): string {
  return `COPY ${jsonArray([...sources.map(copySource), copyDestination(dest)])}`;
}
