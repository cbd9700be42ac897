/**
 * What `modelship status` says of a HorizontalPodAutoscaler (autoscaling/v2): its bounds, the
 * replicas it has and wants, each metric's target against its current value, and why it cannot
 * scale when a condition says so (most often: no metrics-server, so no CPU utilization to read).
 */
import type { ConditionRecord, KubeObject } from './records';

export interface HpaSummary {
  name: string;
  minReplicas?: number;
  maxReplicas?: number;
  currentReplicas?: number;
  desiredReplicas?: number;
  /** `cpu 70%` targets with what was last measured (`?` when nothing was). */
  metrics: { name: string; target: string; current: string }[];
  /** Conditions that are False, in plain words: the autoscaler cannot act. */
  problems: string[];
}

interface MetricTarget {
  type?: string;
  averageUtilization?: number;
  averageValue?: string;
  value?: string;
}

interface MetricSpec {
  type?: string;
  resource?: { name?: string; target?: MetricTarget; current?: MetricTarget };
  pods?: { metric?: { name?: string }; target?: MetricTarget; current?: MetricTarget };
  external?: { metric?: { name?: string }; target?: MetricTarget; current?: MetricTarget };
  object?: { metric?: { name?: string }; target?: MetricTarget; current?: MetricTarget };
}

function describeTarget(t: MetricTarget | undefined): string {
  if (!t) return '?';
  if (t.averageUtilization !== undefined) return `${t.averageUtilization}%`;
  return t.averageValue ?? t.value ?? '?';
}

function metricOf(m: MetricSpec): { name: string; source?: { target?: MetricTarget; current?: MetricTarget } } {
  if (m.resource) return { name: m.resource.name ?? 'resource', source: m.resource };
  const other = m.pods ?? m.external ?? m.object;
  return { name: other?.metric?.name ?? m.type ?? 'metric', ...(other ? { source: other } : {}) };
}

export function summarizeHpa(hpa: KubeObject): HpaSummary {
  const spec = (hpa.spec ?? {}) as { minReplicas?: number; maxReplicas?: number; metrics?: MetricSpec[] };
  const status = (hpa.status ?? {}) as { currentReplicas?: number; desiredReplicas?: number; currentMetrics?: MetricSpec[]; conditions?: ConditionRecord[] };
  const current = new Map((status.currentMetrics ?? []).map((m) => {
    const { name, source } = metricOf(m);
    return [name, source?.current] as const;
  }));
  return {
    name: hpa.metadata?.name ?? '?',
    ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
    ...(spec.maxReplicas !== undefined ? { maxReplicas: spec.maxReplicas } : {}),
    ...(status.currentReplicas !== undefined ? { currentReplicas: status.currentReplicas } : {}),
    ...(status.desiredReplicas !== undefined ? { desiredReplicas: status.desiredReplicas } : {}),
    metrics: (spec.metrics ?? []).map((m) => {
      const { name, source } = metricOf(m);
      return { name, target: describeTarget(source?.target), current: describeTarget(current.get(name)) };
    }),
    problems: (status.conditions ?? [])
      .filter((c) => c.status === 'False')
      .map((c) => {
        const hint = /metrics|unable to get/i.test(c.message ?? '') ? ' (is metrics-server installed? kubectl top pods tells)' : '';
        return `${c.type}: ${c.reason ?? ''}${c.message ? `: ${c.message}` : ''}${hint}`;
      }),
  };
}

/** One line for the status table. */
export function hpaLine(h: HpaSummary): string {
  const metrics = h.metrics.map((m) => `${m.name} ${m.current}/${m.target}`).join(', ');
  return `hpa/${h.name}  ${h.minReplicas ?? 1}..${h.maxReplicas ?? '?'} replicas, ${h.currentReplicas ?? '?'} now${h.desiredReplicas !== undefined && h.desiredReplicas !== h.currentReplicas ? `, wants ${h.desiredReplicas}` : ''}${metrics ? `; ${metrics}` : ''}`;
}
