/** Writes small file trees for tests: text files, files with a mode, symlinks and empty folders. */
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Text, `{ link }` (a symlink to that target), `{ dir: true }` (an empty folder) or `{ mode, text }`. */
export type Node = string | { link: string } | { dir: true } | { mode: number; text: string };

/** Creates every entry of `files` (paths relative to `dir`, POSIX), parents included. */
export function writeTree(dir: string, files: Record<string, Node>): void {
  for (const [rel, node] of Object.entries(files)) {
    const abs = join(dir, rel);
    if (typeof node === 'object' && 'dir' in node) {
      mkdirSync(abs, { recursive: true });
      continue;
    }
    mkdirSync(dirname(abs), { recursive: true });
    if (typeof node === 'string') writeFileSync(abs, node);
    else if ('link' in node) symlinkSync(node.link, abs);
    else {
      writeFileSync(abs, node.text);
      chmodSync(abs, node.mode);
    }
  }
}
