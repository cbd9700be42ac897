// The parse half of a push (STYLE.md pattern 13): the Engine API's push progress stream in,
// Modelship push events out. Invariants: events are plain data; raw engine records never leave
// this module; progress() never reports more bytes pushed than it knows of in total.
import { errorMessage, isObject } from './engineRecords';

/** One thing that happened during a push, in stream order. */
export type PushEvent =
  /** A layer changed state: Preparing, Waiting, Pushing, Pushed, Layer already exists, Mounted from <repo>, Retrying in N seconds. Bytes come with Pushing. */
  | { kind: 'layer'; id: string; status: string; current?: number; total?: number }
  /** A line about the whole push, such as "The push refers to repository [...]". */
  | { kind: 'status'; text: string }
  /** The registry accepted the manifest. */
  | { kind: 'done'; tag?: string; digest: string; size?: number };

interface Layer {
  current: number;
  total: number;
  done: boolean;
}

const DIGEST_LINE = /^(\S+): digest: (sha256:[0-9a-f]{64}) size: (\d+)$/;
// Statuses after which the layer is in the registry.
const LAYER_DONE = /^(Pushed|Layer already exists|Mounted from .*)$/;

/** Feed it each record of one push's stream, in order; it returns the events that record caused. */
export class PushProgressParser {
  private readonly layers = new Map<string, Layer>();
  private error: string | undefined;
  private result: (PushEvent & { kind: 'done' }) | undefined;

  push(record: unknown): PushEvent[] {
    if (!isObject(record)) return [];
    const message = errorMessage(record);
    if (message !== undefined) {
      this.error ??= message;
      return [];
    }
    if (isObject(record.aux) && typeof record.aux.Digest === 'string') {
      const { Tag, Digest, Size } = record.aux;
      return this.done({ digest: Digest, ...(typeof Tag === 'string' ? { tag: Tag } : {}), ...(typeof Size === 'number' ? { size: Size } : {}) });
    }
    if (typeof record.status !== 'string') return [];
    if (typeof record.id === 'string' && record.id !== '') return [this.layer(record.id, record.status, record.progressDetail)];
    const digest = DIGEST_LINE.exec(record.status);
    if (digest) return this.done({ tag: digest[1] ?? '', digest: digest[2] ?? '', size: Number(digest[3]) });
    return [{ kind: 'status', text: record.status }];
  }

  /** The error the stream reported (an errorDetail or an HTTP error body), else undefined. */
  failure(): string | undefined {
    return this.error;
  }

  /** The pushed manifest's digest ("sha256:..."), once the registry has accepted it. */
  digest(): string | undefined {
    return this.result?.digest;
  }

  /** Bytes pushed and known in total, summed over layers, for a progress bar; layers counts those seen, done those in the registry. */
  progress(): { current: number; total: number; layers: number; done: number } {
    let current = 0;
    let total = 0;
    let done = 0;
    for (const layer of this.layers.values()) {
      current += layer.current;
      total += layer.total;
      if (layer.done) done++;
    }
    return { current, total, layers: this.layers.size, done };
  }

  private layer(id: string, status: string, detail: unknown): PushEvent {
    const layer = this.layers.get(id) ?? { current: 0, total: 0, done: false };
    this.layers.set(id, layer);
    const event: PushEvent = { kind: 'layer', id, status };
    if (isObject(detail) && typeof detail.current === 'number') {
      event.current = detail.current;
      if (typeof detail.total === 'number' && detail.total > 0) {
        event.total = detail.total;
        layer.total = detail.total;
      }
      // The engine counts bytes on the wire against the layer's size, so current can exceed total.
      layer.current = Math.min(detail.current, layer.total);
    }
    if (LAYER_DONE.test(status)) {
      layer.done = true;
      layer.current = layer.total;
    }
    return event;
  }

  private done(result: { tag?: string; digest: string; size?: number }): PushEvent[] {
    // The engine reports the digest twice: as a status line and then as {aux}.
    if (this.result) return [];
    this.result = { kind: 'done', ...result };
    return [this.result];
  }
}
