/**
 * What the manifest linter takes besides the text. Plain, JSON-serialisable data (pattern 2): the
 * editor can cache `ParsedManifest`s per file and hand them back on every keystroke.
 *
 * Invariants: paths are project-relative POSIX; ranges are zero-based, as in `Finding`.
 */
import type { ProjectDescription } from '../../detect/types';
import type { LintSettings, Range } from '../types';

/** One Kubernetes object read from a file other than the one being linted (see `parseManifests`). */
export interface ParsedManifest {
  /** Project-relative path of the file it came from. */
  file: string;
  /** Zero-based index of its YAML document in that file. */
  index: number;
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
  /** The object as plain data (what kubectl would send). */
  object: Record<string, unknown>;
  /**
   * Where its nodes are, by JSON pointer (`/spec/replicas`; `` is the `kind` value): a scalar's
   * value, a collection's key. Used for `related` locations in the file being linted's findings.
   */
  ranges: Record<string, Range>;
}

/** What `lintManifests` needs besides the text. */
export interface ManifestLintContext {
  /** Project-relative POSIX path of the file. */
  file: string;
  settings: LintSettings;
  /** The detection result: model sizes and frameworks size the fixes and the startup-probe rule. */
  project?: ProjectDescription;
  /**
   * The objects of the other files that are deployed with this one (the same folder, or the same
   * kustomization with its bases), for cross-object rules: a Service and its Deployment, an HPA and
   * its target, a kustomization naming this file as a patch. When given, the linter takes it as
   * complete and reports references to objects that are not there (MS-K8S018).
   */
  otherDocuments?: ParsedManifest[];
}
