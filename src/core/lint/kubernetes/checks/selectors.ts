/**
 * Objects that find each other by labels and ports: MS-K8S014 (a workload's selector and its own
 * template), MS-K8S015 (a Service's selector and the workloads' pods), MS-K8S016 (a Service's
 * targetPort and the selected containers' ports).
 */
import type { ManifestAnalysis, ObjectView } from '../analysis';
import { get, isObj, isSidecar, listAt, mapSelects, objAt, portsOf, sameNamespace, SCALABLE, selectorMatches, stringMap } from '../objects';
import { K8S } from '../rules';

function checkWorkloadSelector(a: ManifestAnalysis, view: ObjectView): void {
  if (!view.pod || view.patch || !(SCALABLE.has(view.kind) || view.kind === 'DaemonSet' || view.kind === 'Job')) return;
  const selector = objAt(view.object, ['spec', 'selector']);
  if (!selector || selectorMatches(selector, view.pod.labels)) return;
  const matchLabels = stringMap(selector.matchLabels);
  const wrong = Object.entries(matchLabels).filter(([k, v]) => view.pod!.labels[k] !== v);
  const labelsPath = [...view.pod.templatePath, 'metadata', 'labels'];
  const expressions = listAt(selector, ['matchExpressions']);
  const fix = wrong.length > 0 && selectorMatches({ matchExpressions: expressions, matchLabels: { ...view.pod.labels, ...Object.fromEntries(wrong) } }, { ...view.pod.labels, ...Object.fromEntries(wrong) })
    ? a.fix('Add the selector\'s labels to the pod template', a.edits(view)?.set(labelsPath, Object.fromEntries(wrong)))
    : undefined;
  const at = wrong.length > 0 ? ['spec', 'selector', 'matchLabels', wrong[0]![0]] : ['spec', 'selector'];
  const detail = wrong.length > 0
    ? wrong.map(([k, v]) => `\`${k}: ${v}\` (template: ${view.pod!.labels[k] !== undefined ? `\`${view.pod!.labels[k]}\`` : 'absent'})`).join(', ')
    : 'its matchExpressions';
  a.report(K8S.selector, view, at,
    `The ${view.kind}'s selector does not match its own pod template: ${detail}. The API server rejects it ("selector does not match template labels"); make the template's labels satisfy the selector (the selector is immutable once created).`,
    { fixes: [fix], related: [a.related(view, labelsPath, 'The pod template\'s labels')] });
}

/** Workloads whose pods a Service's selector picks, and the candidates it was compared with. */
function selectedWorkloads(a: ManifestAnalysis, service: ObjectView): { matched: ObjectView[]; candidates: ObjectView[]; selector: Record<string, string> } {
  const selector = stringMap(get(service.object, ['spec', 'selector']));
  const candidates = a.all.filter((o) => o.pod && !o.patch && sameNamespace(o.namespace, service.namespace));
  return { matched: candidates.filter((o) => mapSelects(selector, o.pod!.labels)), candidates, selector };
}

function checkService(a: ManifestAnalysis, service: ObjectView): void {
  if (service.kind !== 'Service' || service.patch || get(service.object, ['spec', 'type']) === 'ExternalName') return;
  const { matched, candidates, selector } = selectedWorkloads(a, service);
  if (Object.keys(selector).length === 0) return;
  if (matched.length === 0) {
    if (candidates.length === 0 || !(a.othersGiven || a.local.some((o) => o.pod))) return;
    const score = (o: ObjectView) => Object.entries(selector).filter(([k, v]) => o.pod!.labels[k] === v).length;
    const closest = [...candidates].sort((x, y) => score(y) - score(x))[0]!;
    a.report(K8S.serviceSelector, service, ['spec', 'selector'],
      `Service \`${service.name ?? ''}\` selects ${Object.entries(selector).map(([k, v]) => `\`${k}: ${v}\``).join(', ')}, which no pod template among the manifests carries: it has no endpoints and connections are refused. Align it with the pods' labels (closest: ${closest.kind} \`${closest.name ?? ''}\`).`,
      { part: 'key', related: [a.related(closest, [...closest.pod!.templatePath, 'metadata', 'labels'], `${closest.kind} ${closest.name ?? ''}: its pod labels`)] });
    return;
  }
  checkTargetPorts(a, service, matched);
}

function checkTargetPorts(a: ManifestAnalysis, service: ObjectView, matched: ObjectView[]): void {
  const entries = listAt(service.object, ['spec', 'ports']);
  const declared = (target: unknown) => matched.some((w) => a.containers(w).some((c) => (!c.init || isSidecar(c)) && listAt(c.container, ['ports'])
    .some((p) => isObj(p) && (typeof target === 'string' ? p.name === target : p.containerPort === target))));
  const anyPorts = () => matched.some((w) => a.containers(w).some((c) => listAt(c.container, ['ports']).length > 0));
  if (entries.every((e) => !isObj(e) || declared(e.targetPort ?? e.port) || (typeof (e.targetPort ?? e.port) !== 'string' && !anyPorts()))) return;
  const containers = matched.flatMap((w) => a.containers(w).filter((c) => !c.init || isSidecar(c)).map((c) => ({ w, c, ports: portsOf(c.container) })));
  const all = containers.flatMap((x) => x.ports);
  const distinct = [...new Map(all.map((p) => [`${p.name ?? ''}=${p.port}`, p])).values()];
  const listed = distinct.map((p) => (p.name ? `${p.name}=${p.port}` : String(p.port))).join(', ') || 'none';
  listAt(service.object, ['spec', 'ports']).forEach((entry, i) => {
    if (!isObj(entry)) return;
    const target = entry.targetPort ?? entry.port;
    const named = typeof target === 'string';
    const ok = named ? all.some((p) => p.name === target) : typeof target !== 'number' || all.length === 0 || all.some((p) => p.port === target);
    if (ok) return;
    const at = entry.targetPort !== undefined ? ['spec', 'ports', i, 'targetPort'] : ['spec', 'ports', i, 'port'];
    const only = distinct.length === 1 ? (distinct[0]!.name ?? distinct[0]!.port) : undefined;
    const edits = a.edits(service);
    const fix = only !== undefined
      ? a.fix(`Target port ${only}`, entry.targetPort !== undefined ? edits?.replaceScalar(at, String(only)) : edits?.set(['spec', 'ports', i, 'targetPort'], only))
      : undefined;
    const related = containers.filter((x) => x.ports.length > 0).map((x) => a.related(x.w, [...x.c.path, 'ports'], `${x.w.kind} ${x.w.name ?? ''}, container ${x.c.name}: ports ${x.ports.map((p) => (p.name ? `${p.name}=${p.port}` : p.port)).join(', ')}`));
    const names = matched.map((w) => `${w.kind} \`${w.name ?? ''}\``).join(', ');
    if (named) {
      a.report(K8S.targetPort, service, at,
        `targetPort \`${String(target)}\` names no port of the pods this Service selects (${names}; their ports: ${listed}): the Service has no endpoints on port ${String(entry.port)}. Use ${only !== undefined ? `\`${only}\`` : 'one of their port names'}.`,
        { fixes: [fix], related });
    } else {
      a.report(K8S.targetPort, service, at,
        `The Service sends port ${String(entry.port)} to ${String(target)}, which no container of ${names} declares (their ports: ${listed}): connections fail unless something listens there undeclared. Set targetPort to the container's port${only !== undefined ? ` (\`${only}\`)` : ''}.`,
        { severity: 'warning', fixes: [fix], related });
    }
  });
}

export function checkSelectors(a: ManifestAnalysis): void {
  for (const view of a.local) {
    checkWorkloadSelector(a, view);
    checkService(a, view);
  }
}
