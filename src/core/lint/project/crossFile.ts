/**
 * Rules no single file can check: the port the Dockerfile exposes, the app listens on, the
 * container declares, the Service targets and the probes call must be one port; MODEL_PATH must
 * name the model the Dockerfile copies, and that model must exist; every manifest must run the
 * same image.
 *
 * Invariants: never throws, whatever the files hold. Manifests are read as the manifest linter
 * reads them (`parseManifests`, then the shape-checking accessors of objects.ts: any YAML value may
 * stand where a map or list belongs) and Dockerfiles as the Dockerfile linter does (COPY read as
 * Docker reads it: folders, the whole context, WORKDIR), so both linters and this one agree on what
 * a file says. The work is linear in the files' size: one parse per file, positions from a line
 * index, lookups by map, and each finding's message and related locations capped.
 */
import type { ProjectDescription } from '../../detect/types';
import { Analysis } from '../dockerfile/analysis';
import { modelAt } from '../dockerfile/checks/models';
import { modelPathSources } from '../dockerfile/checks/contextSources';
import { DockerfileModel } from '../dockerfile/model';
import { parseDockerfile } from '../dockerfile/syntax';
import { manifestRange, type Path } from '../kubernetes/locate';
import { containersOf, get, isObj, listAt, podOf } from '../kubernetes/objects';
import { parseManifests } from '../kubernetes/parse';
import type { ParsedManifest } from '../kubernetes/types';
import { DEFAULT_LINT_SETTINGS, type Finding, type Range } from '../types';

export interface ProjectFile {
  path: string;
  text: string;
}

interface Located<T> {
  value: T;
  file: string;
  range: Range;
}

interface DockerfileFacts {
  file: string;
  exposed: Located<number>[];
  envPort?: Located<number>;
  modelPath?: Located<string>;
  /** Whether something other than a context COPY provides MODEL_PATH (a VOLUME, a RUN, another stage), or a variable hides it. */
  modelProvided: boolean;
  /** The context COPY that puts a file at MODEL_PATH, with the project path it reads and whether that is a model. */
  modelCopy?: { written: string; path: string; isModel: boolean; range: Range };
}

interface ContainerFacts {
  file: string;
  name: string;
  image?: Located<string>;
  ports: Located<number>[];
  /** Named container ports, to resolve `port: http`. */
  portNames: Map<string, number>;
  probes: Located<number | string>[];
  modelPath?: Located<string>;
}

interface ConfigFacts {
  port?: Located<number>;
  modelPath?: Located<string>;
}

interface ServiceFacts {
  file: string;
  targetPorts: Located<number | string>[];
}

/** At most this many related locations, and listed values in a message, per finding. */
const MAX_RELATED = 5;

function dockerfileFacts(file: ProjectFile, project: ProjectDescription | undefined): DockerfileFacts {
  const a = new Analysis(new DockerfileModel(file.text, parseDockerfile(file.text)), { file: file.path, settings: DEFAULT_LINT_SETTINGS, ...(project ? { project } : {}) });
  const facts: DockerfileFacts = { file: file.path, exposed: [], modelProvided: false };
  for (const ins of a.model.finalInstructions()) {
    if (ins.keyword === 'EXPOSE') {
      for (const arg of ins.args) {
        const port = Number.parseInt(arg.value, 10);
        if (Number.isFinite(port)) facts.exposed.push({ value: port, file: file.path, range: arg.range });
      }
    } else if (ins.keyword === 'ENV') {
      for (const prop of a.model.props(ins)) {
        if (prop.name === 'PORT' && /^\d+$/.test(prop.value ?? '')) facts.envPort = { value: Number(prop.value), file: file.path, range: prop.range };
      }
    }
  }
  const source = modelPathSources(a).find((s) => s.prop.name === 'MODEL_PATH');
  if (!source) return facts;
  facts.modelPath = { value: source.value, file: file.path, range: source.prop.range };
  facts.modelProvided = source.target === undefined || source.volume || source.otherwise;
  if (source.copy) {
    const { source: from, path } = source.copy;
    facts.modelCopy = { written: from.arg.value, path: a.context.toProject(path), isModel: modelAt(a, path) !== undefined, range: from.arg.range };
  }
  return facts;
}

/** A scalar the manifest wrote at `path` of `m`, with its range; collections and absent values give undefined. */
function scalarAt(m: ParsedManifest, path: Path): Located<string | number | boolean> | undefined {
  const value = get(m.object, path);
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  return { value, file: m.file, range: manifestRange(m.ranges, path) };
}

function containerFacts(m: ParsedManifest): ContainerFacts[] {
  const pod = podOf(m.kind, m.object);
  if (!pod) return [];
  const out: ContainerFacts[] = [];
  for (const c of containersOf(pod)) {
    if (c.init) continue;
    const facts: ContainerFacts = { file: m.file, name: c.name, ports: [], portNames: new Map(), probes: [] };
    const image = scalarAt(m, [...c.path, 'image']);
    if (image) facts.image = { ...image, value: String(image.value) };
    listAt(c.container, ['ports']).forEach((p, i) => {
      const port = scalarAt(m, [...c.path, 'ports', i, 'containerPort']);
      const value = Number(port?.value);
      if (!port || typeof port.value === 'boolean' || !Number.isFinite(value)) return;
      facts.ports.push({ ...port, value });
      const name = get(p, ['name']);
      if (typeof name === 'string') facts.portNames.set(name, value);
    });
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const port = scalarAt(m, [...c.path, probe, 'httpGet', 'port']) ?? scalarAt(m, [...c.path, probe, 'tcpSocket', 'port']);
      if (port) facts.probes.push({ ...port, value: typeof port.value === 'number' ? port.value : String(port.value) });
    }
    listAt(c.container, ['env']).forEach((e, i) => {
      if (!isObj(e) || e.name !== 'MODEL_PATH') return;
      const value = scalarAt(m, [...c.path, 'env', i, 'value']);
      if (value) facts.modelPath = { ...value, value: String(value.value) };
    });
    out.push(facts);
  }
  return out;
}

/** PORT and MODEL_PATH from ConfigMaps (what `envFrom` hands the container). */
function configFacts(m: ParsedManifest): ConfigFacts | undefined {
  if (m.kind !== 'ConfigMap') return undefined;
  const facts: ConfigFacts = {};
  const port = scalarAt(m, ['data', 'PORT']);
  if (port && typeof port.value !== 'boolean' && Number.isFinite(Number(port.value))) facts.port = { ...port, value: Number(port.value) };
  const model = scalarAt(m, ['data', 'MODEL_PATH']);
  if (model) facts.modelPath = { ...model, value: String(model.value) };
  return facts;
}

function serviceFacts(m: ParsedManifest): ServiceFacts | undefined {
  if (m.kind !== 'Service') return undefined;
  const facts: ServiceFacts = { file: m.file, targetPorts: [] };
  listAt(m.object, ['spec', 'ports']).forEach((_, i) => {
    const target = scalarAt(m, ['spec', 'ports', i, 'targetPort']) ?? scalarAt(m, ['spec', 'ports', i, 'port']);
    if (target) facts.targetPorts.push({ ...target, value: typeof target.value === 'number' ? target.value : String(target.value) });
  });
  return facts;
}

const isDockerfile = (path: string): boolean => /(^|\/)(Dockerfile|Containerfile)(\.[^/]*)?$|\.(dockerfile|containerfile)$/i.test(path);
const isYaml = (path: string): boolean => /\.ya?ml$/i.test(path) && !/(^|\/)templates\//.test(path);

function repository(image: string): string {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const colon = withoutDigest.lastIndexOf(':');
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** Values for a message: the first few, and how many more. */
function listed(values: Iterable<unknown>): string {
  const all = [...values];
  const shown = all.slice(0, MAX_RELATED).join(', ');
  return all.length > MAX_RELATED ? `${shown} and ${all.length - MAX_RELATED} more` : shown;
}

function finding(ruleId: string, severity: Finding['severity'], message: string, at: Located<unknown>, related: Located<unknown>[], relatedMessage: (r: Located<unknown>) => string): Finding {
  const shown = related.slice(0, MAX_RELATED);
  return {
    ruleId, severity, message, file: at.file, range: at.range,
    ...(shown.length > 0 ? { related: shown.map((r) => ({ file: r.file, range: r.range, message: relatedMessage(r) })) } : {}),
  };
}

/** MS-X001: one port from EXPOSE to the probes. */
function portFindings(dockerfiles: DockerfileFacts[], containers: ContainerFacts[], services: ServiceFacts[], configs: ConfigFacts[]): Finding[] {
  const findings: Finding[] = [];
  for (const df of dockerfiles) {
    const appPort = df.envPort ?? df.exposed[0];
    if (!appPort) continue;
    for (const exposed of df.exposed) {
      if (df.envPort && exposed.value !== df.envPort.value) {
        findings.push(finding('MS-X001', 'error', `EXPOSE ${exposed.value} but the app listens on PORT=${df.envPort.value}: expose the port the app serves`, exposed, [df.envPort], () => 'PORT is set here'));
      }
    }
    for (const config of configs) {
      if (config.port && config.port.value !== appPort.value) {
        findings.push(finding('MS-X001', 'error', `ConfigMap sets PORT=${config.port.value} but the image serves ${appPort.value} (${df.file})`, config.port, [appPort], () => `${df.file} serves ${appPort.value}`));
      }
    }
    for (const c of containers) {
      for (const p of c.ports) {
        if (p.value !== appPort.value) {
          findings.push(finding('MS-X001', 'error', `containerPort ${p.value} of container ${c.name} differs from the port the image serves (${appPort.value}, ${df.file}); use ${appPort.value}`, p, [appPort], () => `${df.file} serves ${appPort.value}`));
        }
      }
    }
  }
  for (const c of containers) {
    const declared = new Set(c.ports.map((p) => p.value));
    for (const probe of c.probes) {
      const port = typeof probe.value === 'number' ? probe.value : c.portNames.get(probe.value);
      if (port === undefined || (declared.size > 0 && !declared.has(port))) {
        findings.push(finding('MS-X001', 'error', `probe port ${probe.value} of container ${c.name} is not one of its ports (${listed(declared) || 'none declared'})`, probe, c.ports, () => 'declared here'));
      }
    }
  }
  // One location per distinct port: the related list and the message stay short however many containers there are.
  const byPort = new Map<number, Located<number>>();
  for (const c of containers) for (const p of c.ports) if (!byPort.has(p.value)) byPort.set(p.value, p);
  const portNames = new Map(containers.flatMap((c) => [...c.portNames]));
  if (byPort.size > 0) {
    const known = listed(byPort.keys());
    const related = [...byPort.values()].slice(0, MAX_RELATED);
    for (const svc of services) {
      for (const target of svc.targetPorts) {
        const port = typeof target.value === 'number' ? target.value : portNames.get(target.value);
        if (port === undefined || !byPort.has(port)) {
          findings.push(finding('MS-X001', 'error', `Service targetPort ${target.value} matches no containerPort (${known}); traffic would go nowhere`, target, related, () => 'containerPort'));
        }
      }
    }
  }
  return findings;
}

/** MS-X002: MODEL_PATH names what the Dockerfile copies, and that is a model of the project. */
function modelPathFindings(dockerfiles: DockerfileFacts[], containers: ContainerFacts[], configs: ConfigFacts[], project: ProjectDescription | undefined): Finding[] {
  const findings: Finding[] = [];
  for (const df of dockerfiles) {
    if (!df.modelPath) continue;
    const mp = df.modelPath.value;
    const copy = df.modelCopy;
    if (!copy && !df.modelProvided) {
      findings.push(finding('MS-X002', 'warning', `MODEL_PATH=${mp} but no COPY puts a file there; copy the model to ${mp} or mount it`, df.modelPath, [], () => ''));
    }
    // A copied LFS pointer is a model file of the project all the same: MS-DF014 says it holds no weights.
    if (copy && project && !copy.isModel) {
      const from = copy.path === copy.written.replace(/^\.\//, '') ? copy.written : `${copy.path} (${copy.written})`;
      findings.push({ ruleId: 'MS-X002', severity: 'error', message: `MODEL_PATH=${mp} is copied from ${from}, which is not a model Modelship found in the project (${listed(project.models.map((m) => m.path)) || 'none'})`, file: df.file, range: copy.range });
    }
    for (const c of [...containers, ...configs]) {
      if (c.modelPath && c.modelPath.value !== mp) {
        findings.push(finding('MS-X002', 'error', `MODEL_PATH=${c.modelPath.value} in ${c.modelPath.file} differs from the image's MODEL_PATH=${mp} (${df.file})`, c.modelPath, [df.modelPath], () => 'the image sets it here'));
      }
    }
  }
  return findings;
}

/** MS-X003: every manifest runs the same image (same repository and tag). */
function imageFindings(containers: ContainerFacts[]): Finding[] {
  const findings: Finding[] = [];
  const byRepository = new Map<string, Located<string>[]>();
  for (const c of containers) {
    if (!c.image) continue;
    const key = repository(c.image.value);
    const group = byRepository.get(key);
    if (group) group.push(c.image);
    else byRepository.set(key, [c.image]);
  }
  for (const group of byRepository.values()) {
    const first = group[0]!;
    for (const other of group) {
      if (other.value !== first.value) {
        findings.push(finding('MS-X003', 'warning', `${other.file} runs ${other.value} but ${first.file} runs ${first.value}: deploy one image everywhere`, other, [first], () => `runs ${first.value}`));
      }
    }
  }
  return findings;
}

/** Cross-file findings for the Dockerfiles and manifests of one project. */
export function lintCrossFile(files: ProjectFile[], project?: ProjectDescription): Finding[] {
  const dockerfiles = files.filter((f) => isDockerfile(f.path)).map((f) => dockerfileFacts(f, project));
  const manifests = files.filter((f) => isYaml(f.path) && /^\s*kind\s*:/m.test(f.text)).flatMap((f) => parseManifests(f.text, f.path));
  const containers = manifests.flatMap(containerFacts);
  const services = manifests.map(serviceFacts).filter((s) => s !== undefined);
  const configs = manifests.map(configFacts).filter((c) => c !== undefined);
  return [
    ...portFindings(dockerfiles, containers, services, configs),
    ...modelPathFindings(dockerfiles, containers, configs, project),
    ...imageFindings(containers),
  ];
}
