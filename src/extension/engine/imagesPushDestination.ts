/**
 * Where "Push Image" pushes to: the workspaceState key of the last destination, and the check the
 * input box applies. Pure and free of dockerode, so tests import it without the engine bundle.
 */

/** The workspaceState key of the last destination registry. */
export const PUSH_REGISTRY_KEY = 'modelship.push.registry';

/** `registry[:port][/namespace...]`, e.g. `ghcr.io/acme` or `127.0.0.1:5000/team`; undefined when valid. */
export function validateDestination(value: string): string | undefined {
  if (value === '') return 'Name a registry, e.g. ghcr.io/acme or 127.0.0.1:5000';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'Leave out the scheme: ghcr.io/acme, not https://ghcr.io/acme';
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*\/?$/i.test(value)) return 'Expected registry[:port][/namespace], e.g. ghcr.io/acme';
  return undefined;
}
