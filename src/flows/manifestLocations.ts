/**
 * A 422 from the API server names fields of the rendered object; a person edits the project's
 * manifests. This says where each rejected field is set (the base first, then the overlay, which
 * wins), as text for the CLI (the error's details, as before) and as `ManifestLocation` data for
 * the editor (a diagnostic on that line). Best effort: a field found nowhere keeps its cause line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { locateField, type ManifestFile } from '../core/deploy/locateField';
import { KubeError } from '../kube/errors';
import type { ClusterTarget } from './clusterTarget';

/** Where one rejected field is set in the project's manifests. */
export interface ManifestLocation {
  /** Project-relative, POSIX separators. */
  file: string;
  /** 1-based. */
  line: number;
  /** The field the server rejected (`spec.template.spec.containers[0].startupProbe.periodSeconds`). */
  field: string;
  /** How much of that path the file holds (all of it, or the part up to where the value would go). */
  matched: string;
  /** The server's message about the field. */
  message: string;
}

/** A 422 KubeError with its causes located in the manifests. */
export class ManifestError extends KubeError {
  constructor(error: KubeError, details: readonly string[], readonly locations: readonly ManifestLocation[]) {
    super(error.code, error.message, error.hint, error.statusCode, false, error.causes, details);
    if (error.object) this.object = error.object;
  }
}

/** The located causes an error carries (by shape: separately bundled callers each have their own class copy); empty for any other error. */
export function manifestLocationsOf(error: unknown): ManifestLocation[] {
  const locations = (error as { locations?: unknown } | null | undefined)?.locations;
  return Array.isArray(locations) ? (locations as ManifestLocation[]) : [];
}

/** The manifests a person edits for this environment: the base first, then the overlay (which wins). */
function manifestFiles(target: ClusterTarget): ManifestFile[] {
  const { ws, entry, environment } = target;
  const dirs = entry.chart ? [path.join(entry.chart, 'templates')] : ['deploy/k8s/base', entry.overlay ?? `deploy/k8s/overlays/${environment}`];
  return dirs.flatMap((dir) => {
    try {
      return fs.readdirSync(path.join(ws.dir, dir)).filter((f) => /\.ya?ml$/.test(f)).sort()
        .map((f) => ({ path: path.posix.join(dir.split(path.sep).join('/'), f), text: fs.readFileSync(path.join(ws.dir, dir, f), 'utf8') }));
    } catch {
      return [];
    }
  });
}

/** A 422 names fields of the rendered object; say where each is set in the project's manifests. Other errors pass through. */
export function withManifestLines(error: unknown, target: ClusterTarget): unknown {
  if (!(error instanceof KubeError) || error.code !== 'KUBE_INVALID' || error.causes.length === 0) return error;
  const files = manifestFiles(target);
  const locations: ManifestLocation[] = [];
  const lines = error.causes.map((cause) => {
    const at = cause.field ? locateField(files, error.object?.kind, error.object?.name, cause.field) : undefined;
    const message = cause.message ?? cause.reason ?? 'invalid';
    if (at && cause.field) locations.push({ file: at.file, line: at.line, field: cause.field, matched: at.matched, message });
    const where = at ? `${at.file}:${at.line}${at.matched === cause.field ? '' : ` (${at.matched})`}: ` : '';
    return `${where}${cause.field ?? '(object)'}: ${message}`;
  });
  return new ManifestError(error, lines, locations);
}
