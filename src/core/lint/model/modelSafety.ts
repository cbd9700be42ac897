/**
 * The safety verdict on a model file that can hold pickles, and the collector that builds it from
 * the globals the opcode walks report.
 *
 * Invariants: plain, JSON-serialisable data; offsets are byte offsets in the file, except inside
 * a compressed stream (a joblib dump's codec, a deflated zip member), where they count bytes of the
 * decompressed stream (`decompressed: true`), from the member's data offset for zip members; the
 * list holds each (member, module, name) once, at its first offset, and is capped, while the
 * verdict always covers every global seen.
 */
import type { PickleGlobal } from '../../pickle/pickleMachine';
import { classifyGlobal, worse, type Classification, type PolicyContext, type Verdict } from './picklePolicy';

export type { Verdict } from './picklePolicy';

/** One global a pickle in the file imports. */
export interface SafetyGlobal {
  module: string;
  name: string;
  /** Byte offset of the opcode that names it (see the module header for compressed streams). */
  offset: number;
  /** The zip member the pickle is in (`archive/data.pkl`), for zip-based formats. */
  member?: string;
  verdict: Verdict;
  /** Why it is unsafe or suspicious. */
  reason?: string;
  /** GLOBAL, INST, STACK_GLOBAL or EXT1/2/4. */
  opcode?: string;
  /** The offset counts bytes of a decompressed stream. */
  decompressed?: boolean;
}

export interface ModelSafety {
  /** The worst verdict of any global (and at least `suspicious` when the scan hit one of its own limits). */
  verdict: Verdict;
  globals: SafetyGlobal[];
  /** Bytes of the file the scan covered: read, or stepped over by length as array or tensor data. */
  scannedBytes: number;
  /** Every pickle a loader would read was walked to its end. */
  complete: boolean;
  /** What limited the scan or was odd (truncated, malformed at offset N, unsupported codec...). */
  notes: string[];
}

/** The most distinct globals listed per file (the verdict still covers all of them). */
export const MAX_LISTED = 1000;

export interface StreamLabel {
  /** File offset of the stream's first byte (for zip members: the member's data offset). */
  base: number;
  member?: string;
  decompressed?: boolean;
}

export class SafetyCollector {
  private readonly listed = new Map<string, SafetyGlobal>();
  verdict: Verdict = 'safe';
  private unlisted = 0;
  readonly notes: string[] = [];
  complete = true;

  constructor(private readonly context: PolicyContext) {}

  /** Returns the callback a walker over one stream reports its globals to. */
  sink(label: StreamLabel): (g: PickleGlobal) => void {
    return (g) => this.add(g, label);
  }

  add(g: PickleGlobal, label: StreamLabel): void {
    const c: Classification = g.computed
      ? { verdict: 'unsafe', reason: 'the module or name is computed by a call while unpickling, so it can import anything (os.system included)' }
      : classifyGlobal(g.module, g.name, this.context);
    this.verdict = worse(this.verdict, c.verdict);
    const key = `${label.member ?? ''}\0${g.module}\0${g.name}`;
    if (this.listed.has(key)) return;
    // Past the cap, only unsafe globals still make the list (up to twice the cap).
    if (this.listed.size >= (c.verdict === 'unsafe' ? 2 * MAX_LISTED : MAX_LISTED)) {
      this.unlisted++;
      return;
    }
    const reason = c.reason;
    this.listed.set(key, {
      module: g.module,
      name: g.name,
      offset: label.base + g.offset,
      ...(label.member !== undefined ? { member: label.member } : {}),
      verdict: c.verdict,
      ...(reason ? { reason } : {}),
      opcode: g.opcode,
      ...(label.decompressed ? { decompressed: true } : {}),
    });
  }

  /** Records something that kept the scan from seeing everything. */
  incomplete(note: string): void {
    this.complete = false;
    this.note(note);
  }

  note(note: string): void {
    if (!this.notes.includes(note) && this.notes.length < 50) this.notes.push(note);
  }

  /** The scan's own limit hid part of a pickle that a loader would read: not provably safe. */
  limitHit(note: string): void {
    this.incomplete(note);
    this.verdict = worse(this.verdict, 'suspicious');
  }

  result(scannedBytes: number): ModelSafety {
    const notes = [...this.notes];
    if (this.unlisted > 0) notes.push(`${this.unlisted} more distinct globals are not listed`);
    const globals = [...this.listed.values()].sort((a, b) => (a.member ?? '').localeCompare(b.member ?? '') || a.offset - b.offset);
    return { verdict: this.verdict, globals, scannedBytes, complete: this.complete, notes };
  }
}
