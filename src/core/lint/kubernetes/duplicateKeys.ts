/**
 * Duplicate map keys, found in one pass. The yaml package checks each new key against every earlier
 * key of its map, which is quadratic in the width of a map (a ConfigMap of 10,000 keys took
 * seconds), so the parser runs with `uniqueKeys: false` and this reports the same errors: code
 * DUPLICATE_KEY at the start of every key whose scalar value an earlier key of the same map has.
 *
 * Invariants: linear in the number of nodes; iterative (no recursion, whatever the depth); aliases
 * are not followed, as the parser does not follow them either.
 */
import type { Document, Node } from 'yaml';
import { loadYaml } from '../../lazyLibraries';

/** The parser's duplicate-key errors, appended to `doc.errors`. */
export function addDuplicateKeyErrors(doc: Document.Parsed): void {
  const Y = loadYaml();
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Y.isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        if (Y.isScalar(key)) {
          if (seen.has(key.value)) {
            const start = key.range?.[0] ?? 0;
            doc.errors.push(new Y.YAMLParseError([start, start + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
          } else seen.add(key.value);
        } else if (key) pending.push(key);
        pending.push(pair.value);
      }
    } else if (Y.isSeq(node)) {
      for (const item of node.items) pending.push(item);
    } else if (Y.isPair(node)) {
      pending.push(node.key, node.value);
    }
  }
}
