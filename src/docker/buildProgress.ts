// The parse half of a build (STYLE.md pattern 13): the Engine API's build progress stream in,
// Modelship build events out. Both builders are understood: the legacy one ({stream}, {aux:{ID}},
// {errorDetail}) and BuildKit ({id:'moby.buildkit.trace', aux: base64 StatusResponse}).
// Invariants: events and failures are plain data; raw engine records never leave this module;
// output text never carries the legacy builder's stderr colouring; a failure keeps at most
// TAIL_LINES lines of the failing step's output.
import { StringDecoder } from 'node:string_decoder';
import { errorMessage, isObject } from './engineRecords';

/** One thing that happened during a build, in stream order. */
export type BuildEvent =
  /** A step starts. Legacy steps come from "Step 3/12 : RUN ...", BuildKit steps from a vertex such
   * as "[2/4] RUN ...". Steps are keyed by `id`: a legacy step is reported again with `cached: true`
   * when the builder then says it used the cache. */
  | { kind: 'step'; id: string; name: string; index?: number; total?: number; cached?: boolean }
  /** One line of a step's output (RUN's stdout and stderr), ending in a newline. */
  | { kind: 'output'; stepId?: string; text: string }
  /** A warning from the builder, such as a build-arg nobody consumed. */
  | { kind: 'warning'; text: string }
  /** The build produced an image. */
  | { kind: 'done'; imageId: string };

/** Why a build failed: the engine's message, the failing step and the tail of its output. */
export interface BuildFailure {
  /** The engine's error message, unchanged. */
  message: string;
  /** The failing step's name, as in its 'step' event; absent when no step had started (a parse error). */
  step?: string;
  /** The last lines (at most 30) the failing step printed, without newlines. */
  output: string[];
}

const TAIL_LINES = 30;

/** Splits text that arrives in pieces into complete lines, and keeps the last TAIL_LINES. */
class LineLog {
  private partial = '';
  readonly tail: string[] = [];

  /** The lines that `text` completes. */
  add(text: string): string[] {
    const parts = (this.partial + text).replace(/\r\n/g, '\n').split('\n');
    this.partial = parts.pop() ?? '';
    return parts.map((line) => this.keep(line));
  }

  /** The unterminated last line, if any, as a line of its own. */
  flush(): string[] {
    const rest = this.partial;
    this.partial = '';
    return rest === '' ? [] : [this.keep(rest)];
  }

  private keep(line: string): string {
    // A bare carriage return redraws the line (progress bars); keep what a terminal would show.
    const shown = line.slice(line.lastIndexOf('\r') + 1);
    this.tail.push(shown);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    return shown;
  }
}

interface Step {
  id: string;
  name: string;
  log: LineLog;
}

interface LegacyStep extends Step {
  index: number;
  total: number;
}

interface Vertex extends Step {
  shown: boolean;
}

/** The fields of a decoded BuildKit StatusResponse that the parser reads. */
interface TraceRecord {
  vertexes: { digest: string; name: string; cached: boolean; started: boolean; completed: boolean; error: string }[];
  logs: { vertex: string; msg: Buffer }[];
  warnings: { short: Buffer }[];
}

const LEGACY_STEP = /^Step (\d+)\/(\d+) : (.*)$/;
// The legacy builder's own bookkeeping lines, matched tightly so that RUN output that merely
// starts the same way (pip's "Successfully built numpy") stays output.
const LEGACY_NOISE = /^( ---> (Running in [0-9a-f]+|[0-9a-f]{12})|Removing intermediate container [0-9a-f]+|Successfully built [0-9a-f]{12}|Successfully tagged \S+)$/;
const LEGACY_WARNING = /^\[Warning\] (.*)$/;
const VERTEX_NAME = /^\[(?:(\S+) )?(\d+)\/(\d+)\] (.*)$/s;
// The legacy builder wraps each stderr write in red.
const STDERR_OPEN = '\u001b[91m';
const STDERR_CLOSE = '\u001b[0m';

/**
 * Feed it each record of one build's stream, in order; it returns the events that record
 * caused. Failures are not events: ask failure() once the stream ends.
 */
export class BuildProgressParser {
  private readonly legacyText = new LineLog();
  private legacyStep: LegacyStep | undefined;
  private readonly vertexes = new Map<string, Vertex>();
  private vertexFailure: BuildFailure | undefined;
  private streamError: string | undefined;
  private image: string | undefined;

  push(record: unknown): BuildEvent[] {
    if (!isObject(record)) return [];
    const events: BuildEvent[] = [];
    if (record.id === 'moby.buildkit.trace' && typeof record.aux === 'string') {
      const trace = decodeTrace(record.aux);
      if (trace) this.trace(trace, events);
    } else if (isObject(record.aux) && typeof record.aux.ID === 'string') {
      // The legacy builder sends {aux:{ID}}, BuildKit {id:'moby.image.id', aux:{ID}}.
      if (this.image === undefined) events.push({ kind: 'done', imageId: record.aux.ID });
      this.image ??= record.aux.ID;
    } else if (typeof record.stream === 'string') {
      this.legacyLines(this.legacyText.add(stripStderrColour(record.stream)), events);
    } else if (typeof record.status === 'string' && record.id === undefined) {
      // Pull progress while resolving FROM: whole-image lines only, not one per layer.
      this.legacyLines(this.legacyText.add(`${record.status}\n`), events);
    } else {
      const message = errorMessage(record);
      if (message !== undefined) {
        this.legacyLines(this.legacyText.flush(), events);
        this.streamError ??= message;
      }
    }
    return events;
  }

  /** The failure the stream reported (a legacy errorDetail, a BuildKit vertex error or an HTTP error body), else undefined. */
  failure(): BuildFailure | undefined {
    if (this.vertexFailure) return { ...this.vertexFailure, message: this.streamError ?? this.vertexFailure.message };
    if (this.streamError === undefined) return undefined;
    const step = this.legacyStep;
    return step ? { message: this.streamError, step: step.name, output: [...step.log.tail] } : { message: this.streamError, output: [] };
  }

  /** The built image's id ("sha256:..."), once the stream has reported it. */
  imageId(): string | undefined {
    return this.image;
  }

  private legacyLines(lines: string[], events: BuildEvent[]): void {
    for (const line of lines) {
      const step = LEGACY_STEP.exec(line);
      const warning = LEGACY_WARNING.exec(line);
      if (step) {
        const [, index, total, name] = step as unknown as [string, string, string, string];
        this.legacyStep = { id: `step-${index}`, name, index: Number(index), total: Number(total), log: new LineLog() };
        events.push({ kind: 'step', id: this.legacyStep.id, name, index: Number(index), total: Number(total) });
      } else if (line === ' ---> Using cache' && this.legacyStep) {
        const { id, name, index, total } = this.legacyStep;
        events.push({ kind: 'step', id, name, index, total, cached: true });
      } else if (warning) {
        events.push({ kind: 'warning', text: warning[1] ?? '' });
      } else if (!LEGACY_NOISE.test(line)) {
        this.legacyStep?.log.add(`${line}\n`);
        events.push({ kind: 'output', ...(this.legacyStep ? { stepId: this.legacyStep.id } : {}), text: `${line}\n` });
      }
    }
  }

  private trace(trace: TraceRecord, events: BuildEvent[]): void {
    for (const v of trace.vertexes) {
      let vertex = this.vertexes.get(v.digest);
      if (!vertex) {
        vertex = { id: v.digest, name: v.name, log: new LineLog(), shown: false };
        this.vertexes.set(v.digest, vertex);
      }
      if (v.name) vertex.name = v.name;
      const hidden = isInternal(vertex.name) && !v.error;
      if (!vertex.shown && !hidden && (v.started || v.cached || v.error)) {
        vertex.shown = true;
        events.push(vertexStep(vertex, v.cached));
      }
      if (v.completed || v.error) this.vertexOutput(vertex, vertex.log.flush(), events);
      if (v.error) this.recordVertexError(vertex, v.error);
    }
    for (const log of trace.logs) {
      let vertex = this.vertexes.get(log.vertex);
      if (!vertex) {
        vertex = { id: log.vertex, name: '', log: new LineLog(), shown: false };
        this.vertexes.set(log.vertex, vertex);
      }
      this.vertexOutput(vertex, vertex.log.add(log.msg.toString('utf8')), events);
    }
    for (const warning of trace.warnings) events.push({ kind: 'warning', text: warning.short.toString('utf8').trimEnd() });
  }

  private vertexOutput(vertex: Vertex, lines: string[], events: BuildEvent[]): void {
    // Hidden vertexes still keep their lines: they become the tail if the vertex fails.
    if (!vertex.shown) return;
    for (const line of lines) events.push({ kind: 'output', stepId: vertex.id, text: `${line}\n` });
  }

  private recordVertexError(vertex: Vertex, error: string): void {
    // When one vertex fails BuildKit cancels the others; their "context canceled" is not the cause.
    if (this.vertexFailure && !(isCancellation(this.vertexFailure.message) && !isCancellation(error))) return;
    this.vertexFailure = { message: error, step: vertexStep(vertex, false).name, output: [...vertex.log.tail] };
  }
}

function vertexStep(vertex: Vertex, cached: boolean): BuildEvent & { kind: 'step' } {
  const m = VERTEX_NAME.exec(vertex.name);
  if (!m) return { kind: 'step', id: vertex.id, name: vertex.name, ...(cached ? { cached } : {}) };
  const [, stage, index, total, rest] = m as unknown as [string, string | undefined, string, string, string];
  const name = stage ? `${stage}: ${rest}` : rest;
  return { kind: 'step', id: vertex.id, name, index: Number(index), total: Number(total), ...(cached ? { cached } : {}) };
}

function isCancellation(error: string): boolean {
  return /(^|: )(context )?canceled$/.test(error);
}

/** BuildKit's own plumbing: shown only when it fails. "copy /context /" moves a tar context in. */
function isInternal(name: string): boolean {
  return name === '' || name.startsWith('[internal]') || name === 'copy /context /';
}

function stripStderrColour(text: string): string {
  return text.startsWith(STDERR_OPEN) && text.endsWith(STDERR_CLOSE) ? text.slice(STDERR_OPEN.length, -STDERR_CLOSE.length) : text;
}


// BuildKit's StatusResponse, the subset the parser reads, with the field numbers of
// dockerode/lib/proto/buildkit_status.proto (a test decodes the fixtures with both). It lives here
// rather than being read from dockerode's .proto at run time because the bundles ship without
// node_modules; dockerode's buildkit.js exports only followProgress, which flattens the result to text.
const STATUS_SCHEMA = {
  nested: {
    StatusResponse: { fields: { vertexes: { rule: 'repeated', type: 'Vertex', id: 1 }, logs: { rule: 'repeated', type: 'VertexLog', id: 3 }, warnings: { rule: 'repeated', type: 'VertexWarning', id: 4 } } },
    Vertex: { fields: { digest: { type: 'string', id: 1 }, name: { type: 'string', id: 3 }, cached: { type: 'bool', id: 4 }, started: { type: 'Timestamp', id: 5 }, completed: { type: 'Timestamp', id: 6 }, error: { type: 'string', id: 7 } } },
    VertexLog: { fields: { vertex: { type: 'string', id: 1 }, msg: { type: 'bytes', id: 4 } } },
    VertexWarning: { fields: { short: { type: 'bytes', id: 3 } } },
    Timestamp: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
  },
};

interface StatusType {
  decode(bytes: Uint8Array): object;
  toObject(message: object, options: { defaults: boolean }): Record<string, unknown>;
}
let statusType: StatusType | undefined;

/** Decodes one moby.buildkit.trace payload; undefined for a payload that does not decode. */
function decodeTrace(aux: string): TraceRecord | undefined {
  // Loaded on the first BuildKit record, so legacy builds and pushes never pay for it.
  statusType ??= (require('protobufjs/light') as { Root: { fromJSON(json: object): { lookupType(name: string): StatusType } } })
    .Root.fromJSON(STATUS_SCHEMA).lookupType('StatusResponse');
  let raw: Record<string, unknown>;
  try {
    raw = statusType.toObject(statusType.decode(Buffer.from(aux, 'base64')), { defaults: false });
  } catch {
    // A garbled progress record should not end the build's display; the build's result still arrives.
    return undefined;
  }
  const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isObject) : []);
  const str = (value: unknown): string => (typeof value === 'string' ? value : '');
  const bytes = (value: unknown): Buffer => (value instanceof Uint8Array ? Buffer.from(value) : Buffer.alloc(0));
  return {
    vertexes: list(raw.vertexes).map((v) => ({ digest: str(v.digest), name: str(v.name), cached: v.cached === true, started: isObject(v.started), completed: isObject(v.completed), error: str(v.error) })),
    logs: list(raw.logs).map((l) => ({ vertex: str(l.vertex), msg: bytes(l.msg) })),
    warnings: list(raw.warnings).map((w) => ({ short: bytes(w.short) })),
  };
}

/**
 * Splits the raw bytes of an Engine API progress stream into records. Records are one JSON
 * object a line; chunks may split lines and UTF-8 characters. A line that is not a JSON object
 * becomes { stream: line + '\n' }, so it reads as one line of output.
 */
export class JsonLineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  push(chunk: Buffer | string): unknown[] {
    const lines = (this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk))).split('\n');
    this.partial = lines.pop() ?? '';
    return lines.flatMap(parseLine);
  }

  /** The records of a last line that had no newline. */
  end(): unknown[] {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return parseLine(rest);
  }
}

function parseLine(line: string): unknown[] {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '') return [];
  try {
    const value: unknown = JSON.parse(text);
    if (isObject(value)) return [value];
  } catch {
    // Not JSON: fall through and keep it as text.
  }
  return [{ stream: `${text}\n` }];
}
