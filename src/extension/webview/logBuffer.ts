/**
 * The logs panel's lines, kept in the extension host: a bounded ring buffer, so a chatty
 * Deployment costs at most `capacity` lines of memory however long the panel stays open; the
 * oldest lines are dropped first and counted. The webview never holds more than a few pages.
 *
 * Invariants:
 * - Every line has an absolute sequence number, counted from the start of the stream; the lines
 *   held are exactly `first` to `end - 1`. Dropping lines raises `first` and never renumbers.
 * - Text is stored without escape codes, with its level detected once, on arrival.
 * - Pod and container names are interned: 200,000 lines of one pod hold one copy of its name.
 */
import type { LogLine } from '../../core/deploy/logLines';
import { condenseJsonLine, levelInStream, stripAnsi } from './logText';
import { LOG_LEVELS, type LogLevel } from './protocol';

/** The default bound: enough for minutes of a busy model server, small enough for the host. */
export const DEFAULT_CAPACITY = 200_000;

/** One stored line. */
export interface BufferedLine {
  seq: number;
  pod: string;
  container: string;
  text: string;
  level?: LogLevel;
  /** A line the panel wrote itself (a pod joined, the stream ended), not the container. */
  notice: boolean;
}

const NO_LEVEL = 7;
const NOTICE_BIT = 128;

export class LogBuffer {
  private readonly pods: string[];
  private readonly containers: string[];
  private readonly texts: string[];
  /** The level's index in LOG_LEVELS (NO_LEVEL for none), with NOTICE_BIT for notices. */
  private readonly flags: Uint8Array;
  private head = 0;
  private count = 0;
  private firstSeq = 0;
  private droppedLines = 0;
  private readonly names = new Map<string, string>();
  private readonly podSet = new Set<string>();
  private readonly containerSet = new Set<string>();
  /** The last level seen per `pod/container`, for continuation lines. */
  private readonly lastLevel = new Map<string, LogLevel | undefined>();

  constructor(readonly capacity = DEFAULT_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, not ${capacity}`);
    this.pods = new Array<string>(capacity);
    this.containers = new Array<string>(capacity);
    this.texts = new Array<string>(capacity);
    this.flags = new Uint8Array(capacity);
  }

  /** The sequence number of the oldest line held. */
  get first(): number {
    return this.firstSeq;
  }

  /** One past the newest line's sequence number. */
  get end(): number {
    return this.firstSeq + this.count;
  }

  get size(): number {
    return this.count;
  }

  /** Lines dropped to stay within capacity since the last clear. */
  get dropped(): number {
    return this.droppedLines;
  }

  /** Pods seen since the last clear, sorted. */
  podNames(): string[] {
    return [...this.podSet].sort();
  }

  /** Containers seen since the last clear, sorted. */
  containerNames(): string[] {
    return [...this.containerSet].sort();
  }

  append(lines: readonly LogLine[]): void {
    for (const l of lines) {
      const key = `${l.pod}/${l.container}`;
      const text = condenseJsonLine(stripAnsi(l.line));
      const level = levelInStream(text, this.lastLevel.get(key));
      this.lastLevel.set(key, level);
      this.push(l.pod, l.container, text, level === undefined ? NO_LEVEL : LOG_LEVELS.indexOf(level));
    }
  }

  /** Adds a line of the panel's own, e.g. `pod x joined`; `pod` and `container` may be empty. */
  appendNotice(text: string, pod = '', container = ''): void {
    this.push(pod, container, stripAnsi(text), NO_LEVEL | NOTICE_BIT);
  }

  /** The line with this sequence number, or undefined when it is not held. */
  get(seq: number): BufferedLine | undefined {
    if (seq < this.firstSeq || seq >= this.end) return undefined;
    const slot = (this.head + (seq - this.firstSeq)) % this.capacity;
    const flags = this.flags[slot]!;
    const levelIndex = flags & ~NOTICE_BIT;
    const line: BufferedLine = { seq, pod: this.pods[slot]!, container: this.containers[slot]!, text: this.texts[slot]!, notice: (flags & NOTICE_BIT) !== 0 };
    if (levelIndex < LOG_LEVELS.length) line.level = LOG_LEVELS[levelIndex];
    return line;
  }

  /** Forgets every line (a new query starts a new stream); sequence numbers start again at 0. */
  clear(): void {
    this.texts.fill('');
    this.head = 0;
    this.count = 0;
    this.firstSeq = 0;
    this.droppedLines = 0;
    this.podSet.clear();
    this.containerSet.clear();
    this.lastLevel.clear();
    this.names.clear();
  }

  private intern(name: string): string {
    let kept = this.names.get(name);
    if (kept === undefined) {
      kept = name;
      this.names.set(name, name);
    }
    return kept;
  }

  private push(pod: string, container: string, text: string, flags: number): void {
    let slot: number;
    if (this.count < this.capacity) {
      slot = (this.head + this.count) % this.capacity;
      this.count++;
    } else {
      slot = this.head;
      this.head = (this.head + 1) % this.capacity;
      this.firstSeq++;
      this.droppedLines++;
    }
    this.pods[slot] = this.intern(pod);
    this.containers[slot] = this.intern(container);
    this.texts[slot] = text;
    this.flags[slot] = flags;
    if (pod) this.podSet.add(this.pods[slot]!);
    if (container) this.containerSet.add(this.containers[slot]!);
  }
}
