/**
 * Rules no single file can check: the port the Dockerfile exposes, the app listens on, the
 * container declares, the Service targets and the probes call must be one port; MODEL_PATH must
 * name the model the Dockerfile copies, and that model must exist; every manifest must run the
 * same image.
 */
import { DockerfileParser } from 'dockerfile-ast';
import type { ProjectDescription } from '../../detect/types';
import { loadYaml } from '../../lazyLibraries';
import type { Finding, Range } from '../types';

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
  /** COPY destinations mapped to their sources. */
  copies: { source: string; dest: string; range: Range }[];
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

function pos(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, character: offset - last - 1 };
}

function rangeOf(text: string, start: number, end: number): Range {
  return { start: pos(text, start), end: pos(text, end) };
}

function dockerfileFacts(file: ProjectFile): DockerfileFacts {
  const facts: DockerfileFacts = { file: file.path, exposed: [], copies: [] };
  const dockerfile = DockerfileParser.parse(file.text);
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const r = instruction.getRange();
    const range: Range = { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } };
    const args = instruction.getArguments().map((a) => a.getValue());
    if (keyword === 'EXPOSE') {
      for (const arg of args) {
        const port = Number.parseInt(arg, 10);
        if (Number.isFinite(port)) facts.exposed.push({ value: port, file: file.path, range });
      }
    } else if (keyword === 'ENV') {
      const text = args.join(' ');
      const port = /(?:^|\s)PORT=(\d+)/.exec(text)?.[1];
      if (port) facts.envPort = { value: Number(port), file: file.path, range };
      const model = /(?:^|\s)MODEL_PATH=("?)([^\s"]+)\1/.exec(text)?.[2];
      if (model) facts.modelPath = { value: model, file: file.path, range };
    } else if (keyword === 'COPY' || keyword === 'ADD') {
      const plain = args.filter((a) => !a.startsWith('--'));
      let parts = plain;
      const raw = instruction.getRawArgumentsContent?.() ?? '';
      if (raw.trim().startsWith('[')) {
        try {
          parts = JSON.parse(raw.trim()) as string[];
        } catch {
          parts = plain;
        }
      }
      if (parts.length >= 2 && !args.some((a) => a.startsWith('--from'))) {
        const dest = parts[parts.length - 1]!;
        for (const source of parts.slice(0, -1)) facts.copies.push({ source, dest, range });
      }
    }
  }
  return facts;
}

type YamlNode = { range?: [number, number, number]; toJSON?: () => unknown };
type YamlDocument = import('yaml').Document.Parsed;

/** The well-formed documents of one YAML file, parsed once for every extractor below. */
function yamlDocuments(file: ProjectFile): YamlDocument[] {
  try {
    const docs = loadYaml().parseAllDocuments(file.text);
    return (Array.isArray(docs) ? docs : [docs]).filter((d) => d.errors.length === 0);
  } catch {
    return [];
  }
}

function containerFacts(file: ProjectFile, docs: YamlDocument[]): ContainerFacts[] {
  const out: ContainerFacts[] = [];
  for (const doc of docs) {
    const kind = doc.get('kind');
    const specPath = kind === 'Deployment' || kind === 'StatefulSet' || kind === 'DaemonSet' || kind === 'Job' ? ['spec', 'template', 'spec'] : kind === 'Pod' ? ['spec'] : undefined;
    if (!specPath) continue;
    const containers = doc.getIn([...specPath, 'containers'], true) as { items?: unknown[] } | undefined;
    for (const item of containers?.items ?? []) {
      const node = item as { get: (k: string, keep?: boolean) => unknown; getIn: (p: unknown[], keep?: boolean) => unknown };
      const locate = (n: unknown): Range => {
        const r = (n as YamlNode | undefined)?.range;
        return r ? rangeOf(file.text, r[0], r[1]) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      };
      const facts: ContainerFacts = { file: file.path, name: String(node.get('name') ?? ''), ports: [], portNames: new Map(), probes: [] };
      const image = node.get('image', true);
      if (image) facts.image = { value: String((image as { value?: unknown }).value ?? ''), file: file.path, range: locate(image) };
      const ports = node.get('ports', true) as { items?: unknown[] } | undefined;
      for (const p of ports?.items ?? []) {
        const pn = p as { get: (k: string, keep?: boolean) => unknown };
        const numberNode = pn.get('containerPort', true);
        const value = Number((numberNode as { value?: unknown } | undefined)?.value);
        if (Number.isFinite(value)) {
          facts.ports.push({ value, file: file.path, range: locate(numberNode) });
          const name = pn.get('name');
          if (typeof name === 'string') facts.portNames.set(name, value);
        }
      }
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        const port = node.getIn([probe, 'httpGet', 'port'], true) ?? node.getIn([probe, 'tcpSocket', 'port'], true);
        const value = (port as { value?: unknown } | undefined)?.value;
        if (value !== undefined) facts.probes.push({ value: typeof value === 'number' ? value : String(value), file: file.path, range: locate(port) });
      }
      const env = node.get('env', true) as { items?: unknown[] } | undefined;
      for (const e of env?.items ?? []) {
        const en = e as { get: (k: string, keep?: boolean) => unknown };
        if (en.get('name') === 'MODEL_PATH') {
          const v = en.get('value', true);
          if (v) facts.modelPath = { value: String((v as { value?: unknown }).value), file: file.path, range: locate(v) };
        }
      }
      out.push(facts);
    }
  }
  return out;
}

interface ConfigFacts {
  port?: Located<number>;
  modelPath?: Located<string>;
}

/** PORT and MODEL_PATH from ConfigMaps (what `envFrom` hands the container). */
function configFacts(file: ProjectFile, docs: YamlDocument[]): ConfigFacts[] {
  const out: ConfigFacts[] = [];
  for (const doc of docs) {
    if (doc.get('kind') !== 'ConfigMap') continue;
    const facts: ConfigFacts = {};
    const locate = (n: unknown): Range | undefined => {
      const r = (n as YamlNode | undefined)?.range;
      return r ? rangeOf(file.text, r[0], r[1]) : undefined;
    };
    const port = doc.getIn(['data', 'PORT'], true);
    const portRange = locate(port);
    const portValue = Number((port as { value?: unknown } | undefined)?.value);
    if (portRange && Number.isFinite(portValue)) facts.port = { value: portValue, file: file.path, range: portRange };
    const model = doc.getIn(['data', 'MODEL_PATH'], true);
    const modelRange = locate(model);
    if (modelRange) facts.modelPath = { value: String((model as { value?: unknown }).value), file: file.path, range: modelRange };
    out.push(facts);
  }
  return out;
}

interface ServiceFacts {
  file: string;
  targetPorts: Located<number | string>[];
}

function serviceFacts(file: ProjectFile, docs: YamlDocument[]): ServiceFacts[] {
  const out: ServiceFacts[] = [];
  for (const doc of docs) {
    if (doc.get('kind') !== 'Service') continue;
    const ports = doc.getIn(['spec', 'ports'], true) as { items?: unknown[] } | undefined;
    const facts: ServiceFacts = { file: file.path, targetPorts: [] };
    for (const p of ports?.items ?? []) {
      const target = (p as { get: (k: string, keep?: boolean) => unknown }).get('targetPort', true) ?? (p as { get: (k: string, keep?: boolean) => unknown }).get('port', true);
      const value = (target as { value?: unknown } | undefined)?.value;
      const r = (target as YamlNode | undefined)?.range;
      if (value !== undefined && r) facts.targetPorts.push({ value: typeof value === 'number' ? value : String(value), file: file.path, range: rangeOf(file.text, r[0], r[1]) });
    }
    out.push(facts);
  }
  return out;
}

const isDockerfile = (path: string): boolean => /(^|\/)(Dockerfile|Containerfile)(\.[^/]*)?$|\.(dockerfile|containerfile)$/i.test(path);
const isYaml = (path: string): boolean => /\.ya?ml$/i.test(path) && !/(^|\/)templates\//.test(path);

function repository(image: string): string {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const colon = withoutDigest.lastIndexOf(':');
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
}

function finding(ruleId: string, severity: Finding['severity'], message: string, at: Located<unknown>, related: Located<unknown>[], relatedMessage: (r: Located<unknown>) => string): Finding {
  return {
    ruleId, severity, message, file: at.file, range: at.range,
    ...(related.length > 0 ? { related: related.map((r) => ({ file: r.file, range: r.range, message: relatedMessage(r) })) } : {}),
  };
}

/** Cross-file findings for the Dockerfiles and manifests of one project. */
export function lintCrossFile(files: ProjectFile[], project?: ProjectDescription): Finding[] {
  const dockerfiles = files.filter((f) => isDockerfile(f.path)).map(dockerfileFacts);
  const yamlFiles = files.filter((f) => isYaml(f.path) && /^\s*kind\s*:/m.test(f.text)).map((f) => ({ file: f, docs: yamlDocuments(f) }));
  const containers = yamlFiles.flatMap(({ file, docs }) => containerFacts(file, docs));
  const services = yamlFiles.flatMap(({ file, docs }) => serviceFacts(file, docs));
  const configs = yamlFiles.flatMap(({ file, docs }) => configFacts(file, docs));
  const findings: Finding[] = [];

  // MS-X001: one port from EXPOSE to the probes.
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
        findings.push(finding('MS-X001', 'error', `probe port ${probe.value} of container ${c.name} is not one of its ports (${[...declared].join(', ') || 'none declared'})`, probe, c.ports, () => 'declared here'));
      }
    }
  }
  const allContainerPorts = containers.flatMap((c) => c.ports);
  const portNames = new Map(containers.flatMap((c) => [...c.portNames]));
  if (allContainerPorts.length > 0) {
    const known = new Set(allContainerPorts.map((p) => p.value));
    for (const svc of services) {
      for (const target of svc.targetPorts) {
        const port = typeof target.value === 'number' ? target.value : portNames.get(target.value);
        if (port === undefined || !known.has(port)) {
          findings.push(finding('MS-X001', 'error', `Service targetPort ${target.value} matches no containerPort (${[...known].join(', ')}); traffic would go nowhere`, target, allContainerPorts, () => 'containerPort'));
        }
      }
    }
  }

  // MS-X002: MODEL_PATH names what the Dockerfile copies, and that exists.
  const modelPaths = new Set((project?.models ?? []).map((m) => m.path));
  for (const df of dockerfiles) {
    if (!df.modelPath) continue;
    const mp = df.modelPath.value;
    const copied = df.copies.find((c) => c.dest === mp || (c.dest.endsWith('/') && `${c.dest}${c.source.split('/').pop()}` === mp));
    if (!copied && !/VOLUME|mount/i.test(files.find((f) => f.path === df.file)?.text ?? '')) {
      findings.push(finding('MS-X002', 'warning', `MODEL_PATH=${mp} but no COPY puts a file there; copy the model to ${mp} or mount it`, df.modelPath, [], () => ''));
    }
    if (copied && project && !modelPaths.has(copied.source.replace(/^\.\//, '')) && !copied.source.includes('*')) {
      const dir = df.file.includes('/') ? df.file.slice(0, df.file.lastIndexOf('/') + 1) : '';
      const source = `${dir}${copied.source.replace(/^\.\//, '')}`;
      if (!modelPaths.has(source)) {
        findings.push({ ruleId: 'MS-X002', severity: 'error', message: `MODEL_PATH=${mp} is copied from ${copied.source}, which is not a model Modelship found in the project (${[...modelPaths].join(', ') || 'none'})`, file: df.file, range: copied.range });
      }
    }
    for (const c of [...containers, ...configs]) {
      if (c.modelPath && c.modelPath.value !== mp) {
        findings.push(finding('MS-X002', 'error', `MODEL_PATH=${c.modelPath.value} in ${c.modelPath.file} differs from the image's MODEL_PATH=${mp} (${df.file})`, c.modelPath, [df.modelPath], () => 'the image sets it here'));
      }
    }
  }

  // MS-X003: every manifest runs the same image (same repository and tag).
  const images = containers.filter((c) => c.image).map((c) => c.image!);
  const byRepository = new Map<string, Located<string>[]>();
  for (const image of images) byRepository.set(repository(image.value), [...(byRepository.get(repository(image.value)) ?? []), image]);
  for (const group of byRepository.values()) {
    const tags = new Set(group.map((g) => g.value));
    if (tags.size <= 1) continue;
    const first = group[0]!;
    for (const other of group.slice(1)) {
      if (other.value !== first.value) {
        findings.push(finding('MS-X003', 'warning', `${other.file} runs ${other.value} but ${first.file} runs ${first.value}: deploy one image everywhere`, other, [first], () => `runs ${first.value}`));
      }
    }
  }
  return findings;
}
