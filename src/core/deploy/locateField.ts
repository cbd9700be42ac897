/**
 * Maps a field the API server rejected (a 422 cause such as
 * `spec.template.spec.containers[0].resources.limits.memory`) back to the manifest a person edits:
 * the overlay's patch that sets it when there is one, else the base file that defines the object.
 * Rendering merges files, so this is a search: each YAML document of the given files that names the
 * same kind and object, then the deepest node of the path present in it. Pure; best effort.
 */
import { isMap, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';

export interface ManifestFile {
  /** As shown to the user (project-relative). */
  path: string;
  text: string;
}

export interface FieldLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** How much of the path the file holds (the whole path, or the part up to where the value would go). */
  matched: string;
}

/** `a.b[0].c` → ['a', 'b', 0, 'c']; a `[name]`-style key (`labels[app.kubernetes.io/name]`) stays one key. */
export function splitFieldPath(field: string): (string | number)[] {
  const parts: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[([^\]]+)\]/g;
  for (let m = re.exec(field); m; m = re.exec(field)) {
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else if (m[3] !== undefined) parts.push(m[3]);
  }
  return parts;
}

function child(node: Node | null | undefined, key: string | number): Node | undefined {
  if (isMap(node) && typeof key === 'string') {
    const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
    return (pair?.value as Node | null | undefined) ?? undefined;
  }
  if (isSeq(node) && typeof key === 'number') return (node.items[key] as Node | undefined) ?? undefined;
  return undefined;
}

export function locateField(files: readonly ManifestFile[], kind: string | undefined, name: string | undefined, field: string): FieldLocation | undefined {
  const path = splitFieldPath(field);
  let best: (FieldLocation & { depth: number }) | undefined;
  for (const file of files) {
    const lines = new LineCounter();
    let docs;
    try {
      docs = parseAllDocuments(file.text, { lineCounter: lines });
    } catch {
      continue;
    }
    if (!Array.isArray(docs)) continue;
    for (const doc of docs) {
      const root = doc.contents as Node | null;
      const docKind = (child(root, 'kind') as { value?: unknown } | undefined)?.value;
      const docName = (child(child(root, 'metadata'), 'name') as { value?: unknown } | undefined)?.value;
      if ((kind && docKind !== kind) || (name && docName !== name)) continue;
      let node: Node | undefined = root ?? undefined;
      let depth = 0;
      let at = node;
      for (const key of path) {
        node = child(node, key);
        if (!node) break;
        depth++;
        at = node;
      }
      const offset = at?.range?.[0];
      if (offset === undefined) continue;
      // Deeper wins; at equal depth the later file (the overlay, listed after the base) wins.
      if (!best || depth >= best.depth) best = { file: file.path, line: lines.linePos(offset).line, matched: path.slice(0, depth).map((k) => (typeof k === 'number' ? `[${k}]` : k)).join('.').replace(/\.\[/g, '['), depth };
    }
  }
  return best && best.depth > 0 ? { file: best.file, line: best.line, matched: best.matched } : undefined;
}
