/**
 * One lint run over one manifest file: its objects, the objects of the files deployed with it, the
 * lookups several rules share (pod templates, HPAs and their targets, container environments), and
 * the findings reported so far. Only objects of the linted file get findings; the others appear in
 * `related` locations.
 */
import { dirname, join, normalize } from 'path/posix';
import type { DetectedModel } from '../../detect/types';
import type { Finding, Fix, Range, Severity } from '../types';
import { YamlEdits } from './edits';
import { manifestRange, pathRange, type Path } from './locate';
import { containersOf, get, isObj, listAt, objAt, podOf, sameNamespace, stringMap, type ContainerView, type Obj, type PodView } from './objects';
import type { ManifestDocument, ParsedManifestFile } from './parse';
import { defaultSeverity, type KubernetesRuleId } from './rules';
import type { ManifestLintContext, ParsedManifest } from './types';

/** A Kubernetes object of the linted file (`local`) or of another file. */
export interface ObjectView {
  file: string;
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
  object: Obj;
  /** A kustomize patch: a partial object, not held to required fields. */
  patch: boolean;
  pod?: PodView;
  local?: ManifestDocument;
  ranges?: Record<string, Range>;
}

export interface ReportExtras {
  part?: 'key' | 'value';
  severity?: Severity;
  fixes?: (Fix | undefined)[];
  related?: { file: string; range: Range; message: string }[];
}

const PATCH_NAME = /(^|\/)patch(es)?\/|(^|[-_./])patch(es)?([-_.][^/]*)?\.ya?ml$/i;

/** Files that kustomizations among `objects` apply as patches. */
function patchFiles(objects: { file: string; kind: string; object: Obj }[]): Set<string> {
  const files = new Set<string>();
  for (const k of objects) {
    if (k.kind !== 'Kustomization') continue;
    const dir = dirname(k.file);
    const add = (p: unknown) => {
      if (typeof p === 'string' && !p.includes('\n')) files.add(normalize(join(dir, p)));
    };
    listAt(k.object, ['patchesStrategicMerge']).forEach(add);
    for (const field of ['patches', 'patchesJson6902']) listAt(k.object, [field]).forEach((p) => add(get(p, ['path'])));
  }
  return files;
}

export class ManifestAnalysis {
  readonly findings: Finding[] = [];
  /** Objects of the linted file (kustomizations excepted). */
  readonly local: ObjectView[];
  /** Those and the other files' objects. */
  readonly all: ObjectView[];
  private readonly editors = new Map<ManifestDocument, YamlEdits>();
  private readonly envs = new Map<ContainerView['container'], Map<string, string>>();
  private readonly containerViews = new Map<ObjectView, ContainerView[]>();
  /** `all` by kind and name, so that lookups cost the matches, not a scan of every object. */
  private byName?: Map<string, ObjectView[]>;
  /** Non-patch HPAs by the kind and name their scaleTargetRef names. */
  private hpasByTarget?: Map<string, ObjectView[]>;
  /** Non-patch objects with a pod template, in file order, and by each `key=value` pod label. */
  private podIndex?: { pods: ObjectView[]; byLabel: Map<string, ObjectView[]> };
  /** Non-patch objects by kind, in file order. */
  private byKind?: Map<string, ObjectView[]>;

  constructor(readonly parsed: ParsedManifestFile, readonly ctx: ManifestLintContext) {
    const others = (ctx.otherDocuments ?? []).filter((d) => d.file !== ctx.file && isObj(d.object));
    const patches = patchFiles([...others, ...parsed.documents.map((d) => ({ file: ctx.file, kind: d.kind, object: d.object }))]);
    const patchByFile = new Map<string, boolean>();
    const isPatch = (file: string) => {
      let patch = patchByFile.get(file);
      if (patch === undefined) patchByFile.set(file, (patch = PATCH_NAME.test(file) || (patches.size > 0 && patches.has(normalize(file)))));
      return patch;
    };
    const view = (file: string, d: ManifestDocument | ParsedManifest, local: boolean): ObjectView => {
      const pod = podOf(d.kind, d.object);
      return {
        file,
        apiVersion: d.apiVersion,
        kind: d.kind,
        ...(d.name !== undefined ? { name: d.name } : {}),
        ...(d.namespace !== undefined ? { namespace: d.namespace } : {}),
        object: d.object,
        patch: isPatch(file),
        ...(pod ? { pod } : {}),
        ...(local ? { local: d as ManifestDocument } : { ranges: (d as ParsedManifest).ranges }),
      };
    };
    this.local = parsed.documents.filter((d) => d.kind !== 'Kustomization').map((d) => view(ctx.file, d, true));
    this.all = [...this.local, ...others.filter((d) => d.kind !== 'Kustomization').map((d) => view(d.file, d, false))];
  }

  /** A workload's containers and init containers (computed once per run). */
  containers(view: ObjectView): ContainerView[] {
    let list = this.containerViews.get(view);
    if (!list) {
      list = view.pod ? containersOf(view.pod) : [];
      this.containerViews.set(view, list);
    }
    return list;
  }

  /** Whether the caller handed over the other files, so that a missing reference is a finding. */
  get othersGiven(): boolean {
    return this.ctx.otherDocuments !== undefined;
  }

  range(view: ObjectView, path: Path, part: 'key' | 'value' = 'value'): Range {
    if (view.local) return pathRange(view.local.ast, this.parsed.text, this.parsed.lines, path, part);
    return manifestRange(view.ranges ?? {}, path);
  }

  related(view: ObjectView, path: Path, message: string): { file: string; range: Range; message: string } {
    return { file: view.file, range: this.range(view, path), message };
  }

  edits(view: ObjectView): YamlEdits | undefined {
    const doc = view.local;
    if (!doc) return undefined;
    let editor = this.editors.get(doc);
    if (!editor) {
      editor = new YamlEdits(this.parsed.text, this.parsed.lines, doc.ast);
      this.editors.set(doc, editor);
    }
    return editor;
  }

  /** A fix from edits, or undefined when the edits could not be made. */
  fix(title: string, ...edits: (ReturnType<YamlEdits['set']>)[]): Fix | undefined {
    if (edits.some((e) => e === undefined)) return undefined;
    // Inserts at one offset land in array order: the deeper block first, so that a container's new
    // key does not end up inside a pod-level list inserted at the same place.
    const depth = (t: string) => /^\r?\n( *)/.exec(t)?.[1]?.length ?? 0;
    const all = edits.flatMap((e) => e!).map((e, i) => ({ e, i })).sort((x, y) =>
      x.e.range.start.line - y.e.range.start.line || x.e.range.start.character - y.e.range.start.character || depth(y.e.newText) - depth(x.e.newText) || x.i - y.i);
    return all.length > 0 ? { title, edits: all.map((x) => x.e) } : undefined;
  }

  report(id: KubernetesRuleId, view: ObjectView, path: Path, message: string, extras: ReportExtras = {}): void {
    if (!view.local) return;
    const fixes = (extras.fixes ?? []).filter((f): f is Fix => f !== undefined);
    this.findings.push({
      ruleId: id,
      severity: extras.severity ?? defaultSeverity(id),
      message,
      file: this.ctx.file,
      range: this.range(view, path, extras.part),
      ...(fixes.length > 0 ? { fixes } : {}),
      ...(extras.related && extras.related.length > 0 ? { related: extras.related } : {}),
    });
  }

  /** Objects of `kind` named `name` in (or defaulting to) `namespace`. */
  find(kind: string, name: string | undefined, namespace: string | undefined, patches = false): ObjectView[] {
    return this.named(kind, name).filter((o) => (patches || !o.patch) && sameNamespace(o.namespace, namespace));
  }

  private named(kind: string, name: string | undefined): ObjectView[] {
    if (!this.byName) {
      this.byName = new Map();
      for (const o of this.all) {
        const key = JSON.stringify([o.kind, o.name ?? null]);
        const list = this.byName.get(key);
        if (list) list.push(o);
        else this.byName.set(key, [o]);
      }
    }
    return this.byName.get(JSON.stringify([kind, name ?? null])) ?? [];
  }

  /**
   * Non-patch objects with a pod template that may carry every label of `labels`: all of them, or
   * those carrying its rarest `key=value` pair. Callers still check the full selector.
   */
  podCandidates(labels: Record<string, string> = {}): ObjectView[] {
    if (!this.podIndex) {
      const pods = this.all.filter((o) => o.pod && !o.patch);
      const byLabel = new Map<string, ObjectView[]>();
      for (const o of pods) {
        for (const [k, v] of Object.entries(o.pod!.labels)) {
          const key = JSON.stringify([k, v]);
          const list = byLabel.get(key);
          if (list) list.push(o);
          else byLabel.set(key, [o]);
        }
      }
      this.podIndex = { pods, byLabel };
    }
    let best = this.podIndex.pods;
    for (const [k, v] of Object.entries(labels)) {
      const list = this.podIndex.byLabel.get(JSON.stringify([k, v])) ?? [];
      if (list.length < best.length) best = list;
    }
    return best;
  }

  /** Non-patch objects of `kind`, in file order. */
  ofKind(kind: string): ObjectView[] {
    if (!this.byKind) {
      this.byKind = new Map();
      for (const o of this.all) {
        if (o.patch) continue;
        const list = this.byKind.get(o.kind);
        if (list) list.push(o);
        else this.byKind.set(o.kind, [o]);
      }
    }
    return this.byKind.get(kind) ?? [];
  }

  /** HPAs whose scaleTargetRef names `workload`. */
  hpasFor(workload: ObjectView): ObjectView[] {
    if (!this.hpasByTarget) {
      this.hpasByTarget = new Map();
      for (const o of this.all) {
        const kind = get(o.object, ['spec', 'scaleTargetRef', 'kind']);
        const name = get(o.object, ['spec', 'scaleTargetRef', 'name']);
        if (o.kind !== 'HorizontalPodAutoscaler' || o.patch || typeof kind !== 'string' || (typeof name !== 'string' && name !== undefined)) continue;
        const key = JSON.stringify([kind, name ?? null]);
        const list = this.hpasByTarget.get(key);
        if (list) list.push(o);
        else this.hpasByTarget.set(key, [o]);
      }
    }
    const hpas = this.hpasByTarget.get(JSON.stringify([workload.kind, workload.name ?? null])) ?? [];
    return hpas.filter((o) => sameNamespace(o.namespace, workload.namespace));
  }

  /**
   * A container's environment as far as the manifests tell: literal `env` values, then the data of
   * ConfigMaps it loads with `envFrom` (when they are among the objects).
   */
  envOf(view: ObjectView, c: ContainerView): Map<string, string> {
    let env = this.envs.get(c.container);
    if (env) return env;
    env = new Map();
    this.envs.set(c.container, env);
    if (c.container.envFrom === undefined && c.container.env === undefined) return env;
    for (const from of listAt(c.container, ['envFrom'])) {
      const ref = objAt(from, ['configMapRef']);
      if (!ref || typeof ref.name !== 'string') continue;
      const prefix = typeof get(from, ['prefix']) === 'string' ? String(get(from, ['prefix'])) : '';
      for (const cm of this.find('ConfigMap', ref.name, view.namespace)) {
        for (const [k, v] of Object.entries(stringMap(cm.object.data))) env.set(prefix + k, v);
      }
    }
    for (const e of listAt(c.container, ['env'])) {
      if (isObj(e) && typeof e.name === 'string' && (typeof e.value === 'string' || typeof e.value === 'number')) env.set(e.name, String(e.value));
    }
    return env;
  }

  /** The project's model this container serves: the one MODEL_PATH names, the only one, or the largest. */
  modelFor(view: ObjectView, c: ContainerView): DetectedModel | undefined {
    const models = this.ctx.project?.models.filter((m) => m.format !== 'lfs-pointer') ?? [];
    if (models.length === 0) return undefined;
    const path = this.envOf(view, c).get('MODEL_PATH');
    const base = path?.split('/').filter(Boolean).pop();
    const named = base ? models.find((m) => m.path.split('/').pop() === base) : undefined;
    return named ?? [...models].sort((a, b) => b.bytes - a.bytes)[0];
  }

  /** Whether a container runs the Modelship serving app (so its endpoints are known). */
  isModelshipApp(view: ObjectView, c: ContainerView): boolean {
    if (c.init) return false;
    const managedBy = 'app.kubernetes.io/managed-by';
    if (view.pod?.labels[managedBy] === 'modelship' || get(view.object, ['metadata', 'labels', managedBy]) === 'modelship') return true;
    const env = this.envOf(view, c);
    return env.has('MODEL_PATH') && (env.has('MODEL_FRAMEWORK') || env.has('MODEL_FORMAT'));
  }
}
