/**
 * Objects that find each other by labels and ports: MS-K8S014 (a workload's selector and its own
 * template), MS-K8S015 (a Service's selector and the workloads' pods), MS-K8S016 (a Service's
 * targetPort and the selected containers' ports).
 *
 * Work stays linear in a stream of thousands of objects: workloads are found through an index of
 * their pod labels, Services with the same selector share one look at the workloads it picks, and
 * a message names at most a few workloads (and says how many more).
 */
import type { ManifestAnalysis, ObjectView } from '../analysis';
import { get, isObj, isSidecar, listAt, mapSelects, objAt, portsOf, sameNamespace, SCALABLE, selectorMatches, stringMap, type ContainerView } from '../objects';
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

/** At most this many workloads are named in a message or weighed as the closest match. */
const SHOWN = 5;
const CLOSEST_SEARCH = 256;

/** What the Services of one lint share: built once per lint. */
interface PodIndex {
  /** Each workload's place among the workloads, to break ties as a scan in file order would. */
  order: Map<ObjectView, number>;
  /** Whether the linted file itself has a workload with a pod template. */
  localPods: boolean;
  /** Services' selections, by selector and namespace. */
  selections: Map<string, Selection>;
}

interface Selection {
  matched: ObjectView[];
  /** Port names and numbers the matched pods' serving containers (and sidecars) declare. */
  names: Set<unknown>;
  numbers: Set<unknown>;
  anyPorts: boolean;
  /** For messages: the containers with their ports, every port, the distinct ones, and those as text. */
  ports?: { containers: { w: ObjectView; c: ContainerView; ports: ReturnType<typeof portsOf> }[]; all: ReturnType<typeof portsOf>; distinct: ReturnType<typeof portsOf>; listed: string };
}

const indexes = new WeakMap<ManifestAnalysis, PodIndex>();

function podIndex(a: ManifestAnalysis): PodIndex {
  let index = indexes.get(a);
  if (!index) {
    index = { order: new Map(a.podCandidates().map((o, i) => [o, i])), localPods: a.local.some((o) => o.pod), selections: new Map() };
    indexes.set(a, index);
  }
  return index;
}

/** Workloads whose pods a Service's selector picks, with the ports they declare; shared by Services with the same selector. */
function selectedWorkloads(a: ManifestAnalysis, service: ObjectView, selector: Record<string, string>): Selection {
  const index = podIndex(a);
  const entries = Object.entries(selector).sort(([x], [y]) => x.localeCompare(y));
  const key = JSON.stringify([service.namespace ?? null, entries]);
  let selection = index.selections.get(key);
  if (selection) return selection;
  const matched = a.podCandidates(selector).filter((o) => mapSelects(selector, o.pod!.labels) && sameNamespace(o.namespace, service.namespace));
  selection = { matched, names: new Set(), numbers: new Set(), anyPorts: false };
  for (const w of matched) {
    for (const c of a.containers(w)) {
      const ports = listAt(c.container, ['ports']);
      if (ports.length > 0) selection.anyPorts = true;
      if (c.init && !isSidecar(c)) continue;
      for (const p of ports) {
        if (!isObj(p)) continue;
        selection.names.add(p.name);
        selection.numbers.add(p.containerPort);
      }
    }
  }
  index.selections.set(key, selection);
  return selection;
}

/** The serving containers (and sidecars) of `matched` with their declared ports, computed once per selection. */
function declaredPorts(a: ManifestAnalysis, matched: ObjectView[]): NonNullable<Selection['ports']> {
  const containers = matched.flatMap((w) => a.containers(w).filter((c) => !c.init || isSidecar(c)).map((c) => ({ w, c, ports: portsOf(c.container) })));
  const all = containers.flatMap((x) => x.ports);
  const distinct = [...new Map(all.map((p) => [`${p.name ?? ''}=${p.port}`, p])).values()];
  return { containers, all, distinct, listed: distinct.map((p) => (p.name ? `${p.name}=${p.port}` : String(p.port))).join(', ') || 'none' };
}

/** The workload whose pod labels share most of `selector`, among a bounded number sharing any; the first candidate when none does. */
function closestWorkload(a: ManifestAnalysis, service: ObjectView, selector: Record<string, string>): ObjectView | undefined {
  const index = podIndex(a);
  const scores = new Map<ObjectView, number>();
  let searched = 0;
  for (const [k, v] of Object.entries(selector)) {
    for (const o of a.podCandidates({ [k]: v })) {
      if (searched++ >= CLOSEST_SEARCH) break;
      if (sameNamespace(o.namespace, service.namespace)) scores.set(o, (scores.get(o) ?? 0) + 1);
    }
  }
  let best: ObjectView | undefined;
  for (const [o, score] of scores) {
    if (!best || score > scores.get(best)! || (score === scores.get(best)! && index.order.get(o)! < index.order.get(best)!)) best = o;
  }
  return best ?? a.podCandidates().find((o) => sameNamespace(o.namespace, service.namespace));
}

/** `Deployment \`a\`, Deployment \`b\`` for the first few workloads, and how many more. */
function workloadNames(workloads: ObjectView[]): string {
  const shown = workloads.slice(0, SHOWN).map((w) => `${w.kind} \`${w.name ?? ''}\``).join(', ');
  return workloads.length > SHOWN ? `${shown} and ${workloads.length - SHOWN} more` : shown;
}

function checkService(a: ManifestAnalysis, service: ObjectView): void {
  if (service.kind !== 'Service' || service.patch || get(service.object, ['spec', 'type']) === 'ExternalName') return;
  const selector = stringMap(get(service.object, ['spec', 'selector']));
  if (Object.keys(selector).length === 0) return;
  const selection = selectedWorkloads(a, service, selector);
  if (selection.matched.length === 0) {
    if (!(a.othersGiven || podIndex(a).localPods)) return;
    const closest = closestWorkload(a, service, selector);
    if (!closest) return;
    a.report(K8S.serviceSelector, service, ['spec', 'selector'],
      `Service \`${service.name ?? ''}\` selects ${Object.entries(selector).map(([k, v]) => `\`${k}: ${v}\``).join(', ')}, which no pod template among the manifests carries: it has no endpoints and connections are refused. Align it with the pods' labels (closest: ${closest.kind} \`${closest.name ?? ''}\`).`,
      { part: 'key', related: [a.related(closest, [...closest.pod!.templatePath, 'metadata', 'labels'], `${closest.kind} ${closest.name ?? ''}: its pod labels`)] });
    return;
  }
  checkTargetPorts(a, service, selection);
}

function checkTargetPorts(a: ManifestAnalysis, service: ObjectView, selection: Selection): void {
  const entries = listAt(service.object, ['spec', 'ports']);
  const declared = (target: unknown) => !Number.isNaN(target) && (typeof target === 'string' ? selection.names : selection.numbers).has(target);
  if (entries.every((e) => !isObj(e) || declared(e.targetPort ?? e.port) || (typeof (e.targetPort ?? e.port) !== 'string' && !selection.anyPorts))) return;
  const matched = selection.matched;
  const { containers, all, distinct, listed } = (selection.ports ??= declaredPorts(a, matched));
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
    const related = containers.filter((x) => x.ports.length > 0).slice(0, SHOWN).map((x) => a.related(x.w, [...x.c.path, 'ports'], `${x.w.kind} ${x.w.name ?? ''}, container ${x.c.name}: ports ${x.ports.map((p) => (p.name ? `${p.name}=${p.port}` : p.port)).join(', ')}`));
    const names = workloadNames(matched);
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
