/**
 * Other extensions that already report some of what our rules check. When one is installed, the
 * findings it covers are not published, so the Problems panel does not say the same thing twice;
 * everything else of ours still shows, under our own source. Adjust the table as the rules evolve.
 */
import type { LintableKind } from '../../core/lint';

export interface PeerCoverage {
  /** The other extension's id. */
  extension: string;
  /** The kind of file whose findings it covers. */
  kind: LintableKind;
  /** Our rule ids it reports itself. */
  rules: readonly string[];
}

/**
 * Red Hat YAML reports YAML syntax and (with its Kubernetes schema) schema errors; Docker's
 * extensions (the Docker language server in `docker.docker`, the older `ms-azuretools.vscode-docker`)
 * report Dockerfile syntax and BuildKit's parse errors.
 */
export const PEER_COVERAGE: readonly PeerCoverage[] = [
  { extension: 'redhat.vscode-yaml', kind: 'kubernetes', rules: ['MS-K8S000', 'MS-K8S001'] },
  { extension: 'docker.docker', kind: 'dockerfile', rules: ['MS-DF000'] },
  { extension: 'ms-azuretools.vscode-docker', kind: 'dockerfile', rules: ['MS-DF000'] },
];

/** The rule ids not to publish for a file of `kind`, given the installed extensions. */
export function suppressedRules(kind: LintableKind, installed: (id: string) => boolean): Set<string> {
  const ids = new Set<string>();
  for (const peer of PEER_COVERAGE) {
    if (peer.kind === kind && installed(peer.extension)) for (const id of peer.rules) ids.add(id);
  }
  return ids;
}

