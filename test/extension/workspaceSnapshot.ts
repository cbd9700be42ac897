// Snapshots the (small) fixture workspace and puts it back, so suites that write files leave the
// workspace as the other suites expect it. `.vscode/` (workspace settings, which VS Code itself
// writes and watches) is left alone.
import * as fs from 'fs';
import * as path from 'path';

export interface Snapshot {
  root: string;
  files: Map<string, Buffer>;
  dirs: Set<string>;
}

function walk(root: string, relative: string, snap: Snapshot): void {
  for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
    const rel = relative ? `${relative}/${entry.name}` : entry.name;
    if (rel === '.vscode') continue;
    if (entry.isDirectory()) {
      snap.dirs.add(rel);
      walk(root, rel, snap);
    } else if (entry.isFile()) {
      snap.files.set(rel, fs.readFileSync(path.join(root, rel)));
    }
  }
}

export function takeSnapshot(root: string): Snapshot {
  const snap: Snapshot = { root, files: new Map(), dirs: new Set() };
  walk(root, '', snap);
  return snap;
}

/** Project-relative paths of files that exist now but not in `before`. */
export function addedFiles(before: Snapshot): string[] {
  const now = takeSnapshot(before.root);
  return [...now.files.keys()].filter((f) => !before.files.has(f)).sort();
}

/** Removes what was added, rewrites what changed; returns the paths it touched. */
export function restoreSnapshot(before: Snapshot): string[] {
  const now = takeSnapshot(before.root);
  const touched: string[] = [];
  for (const [rel, bytes] of now.files) {
    const old = before.files.get(rel);
    if (!old) fs.rmSync(path.join(before.root, rel), { force: true });
    else if (!old.equals(bytes)) fs.writeFileSync(path.join(before.root, rel), old);
    else continue;
    touched.push(rel);
  }
  for (const [rel, old] of before.files) {
    if (now.files.has(rel)) continue;
    fs.mkdirSync(path.dirname(path.join(before.root, rel)), { recursive: true });
    fs.writeFileSync(path.join(before.root, rel), old);
    touched.push(rel);
  }
  for (const dir of [...now.dirs].sort().reverse()) {
    if (!before.dirs.has(dir)) fs.rmSync(path.join(before.root, dir), { recursive: true, force: true });
  }
  return touched;
}
