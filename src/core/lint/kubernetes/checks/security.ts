/**
 * The restricted Pod Security Standard, container by container: MS-K8S008 (non-root), MS-K8S009
 * (read-only root filesystem), MS-K8S010 (no privilege escalation, not privileged), MS-K8S011
 * (capabilities dropped). Fixes write the container's securityContext, which overrides the pod's.
 */
import type { ManifestAnalysis, ObjectView } from '../analysis';
import { get, listAt, type ContainerView } from '../objects';
import { K8S } from '../rules';
import { eachContainer } from './containers';

function checkNonRoot(a: ManifestAnalysis, view: ObjectView, c: ContainerView): void {
  const containerSc = c.container.securityContext;
  const podSecurity = view.pod!.spec.securityContext;
  const own = get(containerSc, ['runAsNonRoot']);
  const pod = get(podSecurity, ['runAsNonRoot']);
  const ownUser = get(containerSc, ['runAsUser']);
  const user = ownUser ?? get(podSecurity, ['runAsUser']);
  const nonRoot = own ?? pod;
  if (nonRoot === true || (nonRoot === undefined && typeof user === 'number' && user > 0)) return;
  const sc = [...c.path, 'securityContext'];
  const podSc = [...view.pod!.specPath, 'securityContext'];
  if (user === 0 && nonRoot !== false) {
    a.report(K8S.runAsNonRoot, view, ownUser === 0 ? [...sc, 'runAsUser'] : [...podSc, 'runAsUser'],
      `Container \`${c.name}\` runs as root (runAsUser: 0): root in the container is root on the node if it escapes. Run as a non-zero UID (the Modelship image uses 10001) with \`runAsNonRoot: true\`.`);
    return;
  }
  const at = own === false ? [...sc, 'runAsNonRoot'] : pod === false ? [...podSc, 'runAsNonRoot'] : c.path;
  const fix = a.fix('Set runAsNonRoot: true', a.edits(view)?.set([...sc, 'runAsNonRoot'], true));
  a.report(K8S.runAsNonRoot, view, at,
    `Container \`${c.name}\` may run as root: set \`securityContext.runAsNonRoot: true\` (the image must then run as a numeric non-root USER, as the Modelship Dockerfile does).`,
    { fixes: [fix] });
}

function checkReadOnlyRoot(a: ManifestAnalysis, view: ObjectView, c: ContainerView): void {
  const value = get(c.container.securityContext, ['readOnlyRootFilesystem']);
  if (value === true) return;
  const path = [...c.path, 'securityContext', 'readOnlyRootFilesystem'];
  const fix = a.fix('Set readOnlyRootFilesystem: true', a.edits(view)?.set(path, true));
  a.report(K8S.readOnlyRoot, view, value === undefined ? c.path : path,
    `Container \`${c.name}\` can write to its root filesystem: set \`securityContext.readOnlyRootFilesystem: true\` and mount an emptyDir where it must write (/tmp), so that nobody can change the served code or model.`,
    { fixes: [fix] });
}

function checkEscalation(a: ManifestAnalysis, view: ObjectView, c: ContainerView): void {
  const privileged = get(c.container.securityContext, ['privileged']) === true;
  const escalation = get(c.container.securityContext, ['allowPrivilegeEscalation']);
  if (escalation === false && !privileged) return;
  const sc = [...c.path, 'securityContext'];
  const value: Record<string, boolean> = { allowPrivilegeEscalation: false };
  if (privileged) value.privileged = false;
  const fix = a.fix(privileged ? 'Set privileged: false and allowPrivilegeEscalation: false' : 'Set allowPrivilegeEscalation: false', a.edits(view)?.set(sc, value));
  if (privileged) {
    a.report(K8S.privilegeEscalation, view, [...sc, 'privileged'],
      `Container \`${c.name}\` is privileged: it has every device and capability of the node. A model server needs none of it (GPUs come through \`nvidia.com/gpu\` limits); remove \`privileged\` and set \`allowPrivilegeEscalation: false\`.`,
      { fixes: [fix] });
    return;
  }
  a.report(K8S.privilegeEscalation, view, escalation === undefined ? c.path : [...sc, 'allowPrivilegeEscalation'],
    `Container \`${c.name}\` allows privilege escalation: a setuid binary in the image can regain dropped privileges. Set \`securityContext.allowPrivilegeEscalation: false\`.`,
    { fixes: [fix] });
}

function checkCapabilities(a: ManifestAnalysis, view: ObjectView, c: ContainerView): void {
  const drop = listAt(c.container.securityContext, ['capabilities', 'drop']);
  if (drop.some((d) => typeof d === 'string' && d.toUpperCase() === 'ALL')) return;
  const dropPath = [...c.path, 'securityContext', 'capabilities', 'drop'];
  const fix = a.fix('Drop ALL capabilities', a.edits(view)?.append(dropPath, 'ALL'));
  a.report(K8S.capabilities, view, drop.length > 0 ? dropPath : c.path,
    `Container \`${c.name}\` keeps the runtime's default Linux capabilities (NET_RAW, CHOWN, SETUID...): drop them all with \`securityContext.capabilities.drop: [ALL]\` and add back only one it really needs.`,
    { part: 'key', fixes: [fix] });
}

export function checkSecurity(a: ManifestAnalysis): void {
  eachContainer(a, (view, c) => {
    checkNonRoot(a, view, c);
    checkReadOnlyRoot(a, view, c);
    checkEscalation(a, view, c);
    checkCapabilities(a, view, c);
  });
}
