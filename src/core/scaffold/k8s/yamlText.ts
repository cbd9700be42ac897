/**
 * YAML text from plain objects, through the `yaml` package (never by concatenation), with the
 * comments that make a generated file explain itself: one above the document, and others above
 * chosen keys. Output is deterministic: keys keep the order the objects were built in, and shared
 * objects are written out in full, never as anchors and aliases.
 *
 * Strings are quoted for YAML 1.1 readers by default: kubectl and Helm (go-yaml v2) and PyYAML
 * read `no`, `on` or `yes` as booleans, which a YAML 1.2 writer leaves bare.
 */
import { loadYaml } from '../../lazyLibraries';

/** A comment placed above the key (or sequence item) at `path`, or after the collection there. */
export interface YamlNote {
  path: readonly (string | number)[];
  text: string;
  /** Put the comment after the map or sequence at `path` (its last entry) instead of above its key. */
  after?: boolean;
}

export interface YamlDoc {
  value: unknown;
  /** Comment above the document; each line becomes a `# ` line. */
  comment?: string;
  notes?: readonly YamlNote[];
  /** `1.2` for readers that treat `on`/`no` as strings (GitHub Actions, whose `on:` key must stay bare). */
  version?: '1.1' | '1.2';
}

function commentText(text: string): string {
  return text
    .split('\n')
    .map((line) => (line ? ` ${line}` : ''))
    .join('\n');
}

function annotate(doc: import('yaml').Document, note: YamlNote): void {
  const { isCollection, isMap, isScalar, isSeq, isNode } = loadYaml();
  if (note.after) {
    const collection = doc.getIn(note.path, true);
    if (!isCollection(collection)) throw new Error(`no YAML collection at ${note.path.join('.')} to comment after`);
    collection.comment = commentText(note.text);
    return;
  }
  const parentPath = note.path.slice(0, -1);
  const last = note.path[note.path.length - 1];
  const parent = parentPath.length > 0 ? doc.getIn(parentPath, true) : doc.contents;
  let target: import('yaml').Node | undefined;
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
    if (pair && isScalar(pair.key)) target = pair.key;
  } else if (isSeq(parent) && typeof last === 'number') {
    const item = parent.items[last];
    if (isNode(item)) target = item;
  }
  if (!target) throw new Error(`no YAML node at ${note.path.join('.')} to comment on`);
  target.commentBefore = commentText(note.text);
}

/** One or more YAML documents as text, `---` between them. */
export function yamlText(docs: YamlDoc | readonly YamlDoc[]): string {
  const { Document } = loadYaml();
  const list = Array.isArray(docs) ? (docs as readonly YamlDoc[]) : [docs as YamlDoc];
  return list
    .map((d) => {
      const doc = new Document(d.value, { version: d.version ?? '1.1', aliasDuplicateObjects: false });
      if (d.comment) doc.commentBefore = commentText(d.comment);
      for (const note of d.notes ?? []) annotate(doc, note);
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}
