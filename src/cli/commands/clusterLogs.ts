/**
 * `modelship logs --env E | --context C`: the logs of every pod and container of the project's
 * Deployment, as stern prints them. Each line on stdout is `pod/container text` (the prefix
 * coloured by a stable hash on a terminal, never when piped or under NO_COLOR), or with --json
 * one object per line: {"pod","container","ts","line"}. Notices (pods joining, streams resuming,
 * streams waiting for a slot) go to stderr.
 *
 * Defaults follow `kubectl logs -l SELECTOR`: the last 10 lines of each container (`--tail -1`
 * for all of them), or with --since all lines of that window unless --tail is given too.
 * Containers that start while following (new pods, restarts) are printed from their first line.
 * --previous reads the previous instance of each container and cannot be combined with --follow.
 * Exit codes: 0 done (or interrupted while following), 2 usage, connection or credential errors.
 */
import { parseDuration, formatLines, linePrefix, useColour, type FormatOptions, type LogLine } from '../../core/deploy/logLines';
import { ModelshipError } from '../../core/errors';
import { streamDeploymentLogs } from '../../kube/deploymentLogs';
import { connect, targetFromFlags, type ClusterFlags } from './cluster';

/** `kubectl logs -l` prints this many lines per container when --tail is not given. */
export const DEFAULT_SELECTOR_TAIL = 10;

export interface ClusterLogsFlags extends ClusterFlags {
  follow: boolean;
  /** Lines per container; `-1` for all. */
  tail?: string;
  /** A duration: 5s, 2m, 1h. */
  since?: string;
  previous: boolean;
  container?: string;
  timestamps: boolean;
}

/** Where the lines go; tests pass their own stream and signal. */
export interface LogsIo {
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream;
  /** Stops following (the CLI aborts it on SIGINT). */
  signal?: AbortSignal;
  env?: Record<string, string | undefined>;
}

/** Per-stream request options from the flags (pure). */
export function logRequestOptions(flags: Pick<ClusterLogsFlags, 'follow' | 'tail' | 'since' | 'previous'>): { tailLines?: number; sinceSeconds?: number } {
  if (flags.previous && flags.follow) throw new ModelshipError('BAD_ARGUMENT', '--previous reads containers that have ended; it cannot be combined with --follow');
  const sinceSeconds = flags.since !== undefined ? parseDuration(flags.since) : undefined;
  let tailLines: number | undefined = sinceSeconds === undefined ? DEFAULT_SELECTOR_TAIL : undefined;
  if (flags.tail !== undefined) {
    const n = Number(flags.tail);
    if (!Number.isInteger(n) || n < -1) throw new ModelshipError('BAD_ARGUMENT', `--tail ${flags.tail}: give a number of lines, or -1 for all`);
    tailLines = n < 0 ? undefined : n;
  }
  return { ...(tailLines !== undefined ? { tailLines } : {}), ...(sinceSeconds !== undefined ? { sinceSeconds } : {}) };
}

/**
 * Writes to a stream with backpressure: resolves when the stream can take more, so the log
 * streams wait instead of buffering. One 'drain' listener however many streams wait.
 */
export function backpressuredWriter(stdout: NodeJS.WritableStream): (text: string) => Promise<void> | void {
  let draining: Promise<void> | undefined;
  const waitDrain = () =>
    (draining ??= new Promise<void>((resolve) => {
      const done = () => {
        stdout.removeListener('drain', done);
        stdout.removeListener('close', done);
        draining = undefined;
        resolve();
      };
      stdout.on('drain', done);
      stdout.on('close', done);
    }));
  return (text: string) => {
    if (draining) return draining.then(() => (stdout.write(text) ? undefined : waitDrain()));
    return stdout.write(text) ? undefined : waitDrain();
  };
}

export async function runClusterLogs(dir: string, flags: ClusterLogsFlags, io: LogsIo = {}): Promise<number> {
  const request = logRequestOptions(flags);
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const target = targetFromFlags(dir, flags);
  const session = await connect(target, flags);
  const format: FormatOptions = { json: flags.json, timestamps: flags.timestamps, colour: !flags.json && useColour(stdout.isTTY, io.env ?? process.env) };
  const prefixes = new Map<string, string>();
  const prefixOf = (l: LogLine) => {
    const key = `${l.pod}/${l.container}`;
    let p = prefixes.get(key);
    if (p === undefined) prefixes.set(key, (p = linePrefix(l.pod, l.container, format.colour)));
    return p;
  };
  const write = backpressuredWriter(stdout);
  const controller = new AbortController();
  const stop = () => controller.abort();
  io.signal?.addEventListener('abort', stop, { once: true });
  if (io.signal?.aborted) controller.abort();
  const onSigint = io.signal ? undefined : stop;
  if (onSigint) process.once('SIGINT', onSigint);
  // A reader that went away (`| head`) ends the command quietly.
  const onError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') controller.abort();
  };
  stdout.on('error', onError);
  try {
    const result = await streamDeploymentLogs(
      { context: session.target.context, namespace: session.target.namespace, ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}) },
      {
        deployment: target.ws.target.name,
        follow: flags.follow,
        previous: flags.previous,
        ...request,
        ...(flags.container ? { container: flags.container } : {}),
        signal: controller.signal,
        onLines: (lines) => write(formatLines(lines, format, format.json ? undefined : prefixOf(lines[0]))),
        onNotice: (text) => stderr.write(`${text}\n`),
      },
    );
    if (result.streams === 0 && !controller.signal.aborted) stderr.write(`No container logs of ${target.ws.target.name} to show.\n`);
    return 0;
  } finally {
    io.signal?.removeEventListener('abort', stop);
    if (onSigint) process.removeListener('SIGINT', onSigint);
    stdout.removeListener('error', onError);
  }
}
