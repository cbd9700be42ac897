/**
 * Scaling and disruption: MS-K8S017 (HPA utilisation without requests), MS-K8S018 (HPA target
 * missing), MS-K8S019 (PDB that blocks every eviction), MS-K8S026 (replicas beside an HPA).
 */
import type { ManifestAnalysis, ObjectView } from '../analysis';
import type { Path } from '../locate';
import { get, isObj, isSidecar, listAt, SCALABLE, selectorMatches, stringMap, type ContainerView } from '../objects';
import { K8S } from '../rules';

interface UtilisationMetric {
  resource: 'cpu' | 'memory';
  /** Only this container counts (a ContainerResource metric). */
  container?: string;
  path: Path;
}

/** The resources an HPA computes utilisation of (CPU at 80% when it names no metric). */
function utilisationMetrics(hpa: ObjectView): UtilisationMetric[] {
  const o = hpa.object;
  if (hpa.apiVersion === 'autoscaling/v1') return [{ resource: 'cpu', path: get(o, ['spec', 'targetCPUUtilizationPercentage']) !== undefined ? ['spec', 'targetCPUUtilizationPercentage'] : ['spec', 'scaleTargetRef'] }];
  const metrics = listAt(o, ['spec', 'metrics']);
  if (metrics.length === 0) return [{ resource: 'cpu', path: ['spec', 'scaleTargetRef'] }];
  const out: UtilisationMetric[] = [];
  metrics.forEach((m, i) => {
    if (!isObj(m)) return;
    const field = m.type === 'Resource' ? 'resource' : m.type === 'ContainerResource' ? 'containerResource' : undefined;
    const spec = field ? m[field] : undefined;
    if (!isObj(spec) || (spec.name !== 'cpu' && spec.name !== 'memory')) return;
    const utilisation = get(spec, ['target', 'type']) === 'Utilization' || spec.targetAverageUtilization !== undefined;
    if (!utilisation) return;
    out.push({ resource: spec.name, ...(typeof spec.container === 'string' ? { container: spec.container } : {}), path: ['spec', 'metrics', i, field!, 'name'] });
  });
  return out;
}

/** Whether a container (or a patch of its workload) requests `resource`; a limit alone is the request. */
function requests(a: ManifestAnalysis, workload: ObjectView, c: ContainerView, resource: string): boolean {
  const has = (x: unknown) => get(x, ['resources', 'requests', resource]) !== undefined || get(x, ['resources', 'limits', resource]) !== undefined;
  if (has(c.container)) return true;
  return a.find(workload.kind, workload.name, workload.namespace, true).filter((p) => p.patch && p.pod)
    .some((p) => a.containers(p).some((pc) => pc.name === c.name && has(pc.container)));
}

/** Per lint and kind: whether the linted file has one, and the names of all (a name per object, in file order). */
const summaries = new WeakMap<ManifestAnalysis, Map<string, { local: boolean; named: string[]; byName: Map<string, number> }>>();

function kindSummary(a: ManifestAnalysis, kind: string): { local: boolean; named: string[]; byName: Map<string, number> } {
  let byKind = summaries.get(a);
  if (!byKind) summaries.set(a, (byKind = new Map()));
  let summary = byKind.get(kind);
  if (!summary) {
    const ofKind = a.ofKind(kind);
    const named = ofKind.filter((o) => o.name).map((o) => o.name!);
    const byName = new Map<string, number>();
    for (const n of named) byName.set(n, (byName.get(n) ?? 0) + 1);
    summary = { local: ofKind.some((o) => o.local), named, byName };
    byKind.set(kind, summary);
  }
  return summary;
}

function checkHpa(a: ManifestAnalysis, hpa: ObjectView): void {
  if (hpa.kind !== 'HorizontalPodAutoscaler' || hpa.patch) return;
  const kind = get(hpa.object, ['spec', 'scaleTargetRef', 'kind']);
  const name = get(hpa.object, ['spec', 'scaleTargetRef', 'name']);
  if (typeof kind !== 'string' || typeof name !== 'string') return;
  const targets = a.find(kind, name, hpa.namespace);
  if (targets.length === 0) {
    const summary = kindSummary(a, kind);
    if (!a.othersGiven && !summary.local) return;
    // The others of the kind, for the message: the first few names (a scan that stops there) and how many.
    const shown: string[] = [];
    for (let i = 0; i < summary.named.length && shown.length < 5; i++) if (summary.named[i] !== name) shown.push(summary.named[i]!);
    const count = summary.named.length - (summary.byName.get(name) ?? 0);
    const namePath = ['spec', 'scaleTargetRef', 'name'];
    const fix = count === 1 ? a.fix(`Target ${kind} ${shown[0]}`, a.edits(hpa)?.replaceScalar(namePath, shown[0]!)) : undefined;
    const list = shown.map((n) => `\`${n}\``).join(', ') + (count > shown.length ? ` and ${count - shown.length} more` : '');
    a.report(K8S.hpaTarget, hpa, namePath,
      `The HPA scales ${kind} \`${name}\`, which is not among the manifests${count > 0 ? ` (${kind}s here: ${list})` : ''}: it does nothing. Name the workload it should scale.`,
      { fixes: [fix] });
    return;
  }
  for (const metric of utilisationMetrics(hpa)) {
    for (const target of targets) {
      if (!target.pod) continue;
      const lacking = a.containers(target)
        .filter((c) => (!c.init || isSidecar(c)) && (!metric.container || c.name === metric.container))
        .filter((c) => !requests(a, target, c, metric.resource));
      if (lacking.length === 0) continue;
      const what = metric.resource === 'cpu' ? 'CPU' : 'memory';
      a.report(K8S.hpaRequests, hpa, metric.path,
        `The HPA scales on ${what} utilisation, but ${lacking.map((c) => `container \`${c.name}\``).join(', ')} of ${target.kind} \`${target.name ?? ''}\` request${lacking.length === 1 ? 's' : ''} no ${what}: utilisation is usage divided by the request, so the HPA reports FailedGetResourceMetric and never scales. Add \`resources.requests.${metric.resource}\` to ${lacking.length === 1 ? 'it' : 'each'}.`,
        { related: lacking.map((c) => a.related(target, c.path, `Container ${c.name}: no ${what} request`)) });
    }
  }
}

/** The replica count a workload runs with: its HPA's minimum, else the last `replicas` its object or patches set. */
function replicasOf(a: ManifestAnalysis, workload: ObjectView): { count: number; view: ObjectView; path: Path; source: string } {
  const hpa = a.hpasFor(workload)[0];
  if (hpa) {
    const min = get(hpa.object, ['spec', 'minReplicas']);
    return { count: typeof min === 'number' ? min : 1, view: hpa, path: ['spec', 'minReplicas'], source: `the HPA's minReplicas` };
  }
  const setters = a.find(workload.kind, workload.name, workload.namespace, true).filter((o) => typeof get(o.object, ['spec', 'replicas']) === 'number');
  const setter = setters.find((o) => o.patch) ?? setters[0];
  if (setter) return { count: get(setter.object, ['spec', 'replicas']) as number, view: setter, path: ['spec', 'replicas'], source: `${setter.kind} ${setter.name ?? ''}'s replicas` };
  return { count: 1, view: workload, path: ['metadata', 'name'], source: `${workload.kind} ${workload.name ?? ''}'s default of 1 replica` };
}

function checkPdb(a: ManifestAnalysis, pdb: ObjectView): void {
  if (pdb.kind !== 'PodDisruptionBudget' || pdb.patch) return;
  const selector = get(pdb.object, ['spec', 'selector']);
  const workloads = a.podCandidates(stringMap(get(selector, ['matchLabels'])))
    .filter((o) => SCALABLE.has(o.kind) && selectorMatches(selector, o.pod!.labels) && (o.namespace === pdb.namespace || !o.namespace || !pdb.namespace));
  if (workloads.length === 0) return;
  const minAvailable = get(pdb.object, ['spec', 'minAvailable']);
  const maxUnavailable = get(pdb.object, ['spec', 'maxUnavailable']);
  const percent = (v: unknown) => (typeof v === 'string' && /^\d+%$/.test(v) ? Number(v.slice(0, -1)) : undefined);
  const replicas = workloads.map((w) => ({ w, ...replicasOf(a, w) })).sort((x, y) => x.count - y.count)[0]!;
  if (replicas.count === 0) return;
  const edits = a.edits(pdb);
  const related = [a.related(replicas.view, replicas.path, `${replicas.count} replica${replicas.count === 1 ? '' : 's'} (${replicas.source})`)];
  let blocked: { path: Path; what: string; fix?: ReturnType<ManifestAnalysis['fix']> } | undefined;
  if (typeof minAvailable === 'number' && minAvailable >= replicas.count) {
    const path = ['spec', 'minAvailable'];
    const fix = replicas.count >= 2
      ? a.fix(`Set minAvailable: ${replicas.count - 1}`, edits?.replaceScalar(path, String(replicas.count - 1)))
      : a.fix('Allow one pod unavailable instead', edits?.replacePair(path, { maxUnavailable: 1 }));
    blocked = { path, what: `minAvailable ${minAvailable}`, fix };
  } else if (percent(minAvailable) !== undefined && Math.ceil((percent(minAvailable)! * replicas.count) / 100) >= replicas.count) {
    // The disruption controller rounds a percentage of minAvailable up: 50% of one replica is one.
    blocked = { path: ['spec', 'minAvailable'], what: `minAvailable ${String(minAvailable)}`, fix: a.fix('Allow one pod unavailable instead', edits?.replacePair(['spec', 'minAvailable'], { maxUnavailable: 1 })) };
  } else if (maxUnavailable === 0 || percent(maxUnavailable) === 0) {
    blocked = { path: ['spec', 'maxUnavailable'], what: `maxUnavailable ${String(maxUnavailable)}`, fix: a.fix('Set maxUnavailable: 1', edits?.replaceScalar(['spec', 'maxUnavailable'], '1')) };
  }
  if (!blocked) return;
  a.report(K8S.pdb, pdb, blocked.path,
    `${blocked.what} with ${replicas.count} replica${replicas.count === 1 ? '' : 's'} of ${replicas.w.kind} \`${replicas.w.name ?? ''}\` leaves no pod evictable: node drains, cluster upgrades and scale-downs hang. ${replicas.count >= 2 ? `Set minAvailable to ${replicas.count - 1} or below` : 'Use maxUnavailable: 1'}, or run more replicas.`,
    { fixes: [blocked.fix], related });
}

function checkReplicasWithHpa(a: ManifestAnalysis, view: ObjectView): void {
  if (!SCALABLE.has(view.kind) || get(view.object, ['spec', 'replicas']) === undefined) return;
  const hpa = a.hpasFor(view)[0];
  if (!hpa) return;
  a.report(K8S.replicasWithHpa, view, ['spec', 'replicas'],
    `An HPA scales ${view.kind} \`${view.name ?? ''}\`, yet it sets replicas: every \`kubectl apply\` resets the count to ${String(get(view.object, ['spec', 'replicas']))} until the HPA scales it again. Remove \`replicas\` and let the HPA's minReplicas rule.`,
    { part: 'key', fixes: [a.fix('Remove replicas', a.edits(view)?.removePair(['spec', 'replicas']))], related: [a.related(hpa, ['spec', 'minReplicas'], 'The HPA that scales it')] });
}

export function checkAutoscaling(a: ManifestAnalysis): void {
  for (const view of a.local) {
    checkHpa(a, view);
    checkPdb(a, view);
    checkReplicasWithHpa(a, view);
  }
}
