/**
 * A BuildKit session over the Engine API, serving build secrets. The engine's `POST /session` is
 * hijacked and upgraded to HTTP/2 (h2c); on that connection the engine is the gRPC client and we
 * serve `moby.buildkit.secrets.v1.Secrets/GetSecret` (the values, read from memory), the health
 * check BuildKit polls to keep the session open, and an empty `Auth/Credentials` (anonymous pulls,
 * as without a session). The build request names the session (`session=<id>`). Secret values
 * travel only over this connection: never in the build query, a label, a layer or a log line.
 *
 * The messages are three tiny protobufs, encoded here by hand (field numbers from BuildKit's
 * secrets.proto and gRPC's health.proto) rather than loading .proto files at run time.
 */
import type Dockerode from 'dockerode';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';

export interface BuildSession {
  /** The id the build request names as `session`. */
  id: string;
  /** The secret ids BuildKit asked for (not their values), for the debug log and tests. */
  requested: string[];
  close(): void;
}

type GrpcModule = typeof import('@grpc/grpc-js');
type Reply<T> = import('@grpc/grpc-js').sendUnaryData<T>;

/** Reads a varint at `offset`: [value, next offset]. */
function readVarint(bytes: Uint8Array, offset: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (let i = offset; i < bytes.length && shift < 35; i++) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, i + 1];
    shift += 7;
  }
  throw new Error('truncated protobuf varint');
}

function writeVarint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** The string in field `field` (wire type 2) of a protobuf message; other fields are skipped. */
export function protobufStringField(message: Uint8Array, field: number): string | undefined {
  let offset = 0;
  let found: string | undefined;
  while (offset < message.length) {
    const [key, afterKey] = readVarint(message, offset);
    const wire = key & 7;
    offset = afterKey;
    if (wire === 0) offset = readVarint(message, offset)[1];
    else if (wire === 1) offset += 8;
    else if (wire === 5) offset += 4;
    else if (wire === 2) {
      const [length, start] = readVarint(message, offset);
      if (key >>> 3 === field) found = Buffer.from(message.subarray(start, start + length)).toString('utf8');
      offset = start + length;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return found;
}

/** A message holding `data` as the bytes field `field`. */
export function protobufBytesField(field: number, data: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...writeVarint(data.length)]), Buffer.from(data)]);
}

function unary<Req, Res>(path: string, decode: (b: Buffer) => Req, encode: (r: Res) => Buffer) {
  return {
    path, requestStream: false, responseStream: false,
    requestSerialize: (value: Req) => value as unknown as Buffer, requestDeserialize: decode,
    responseSerialize: encode, responseDeserialize: (b: Buffer) => b as unknown as Res,
  };
}

const SECRETS_GET = '/moby.buildkit.secrets.v1.Secrets/GetSecret';
const HEALTH_CHECK = '/grpc.health.v1.Health/Check';
const AUTH_CREDENTIALS = '/moby.filesync.v1.Auth/Credentials';

/**
 * Opens a session serving `secrets` (id → value). Resolves once the engine accepted the upgrade;
 * `close()` ends it (after the build's stream ended).
 */
export function openBuildSession(api: Dockerode, secrets: ReadonlyMap<string, Buffer>, onDebug?: (line: string) => void): Promise<BuildSession> {
  const grpc = require('@grpc/grpc-js') as GrpcModule;
  const id = randomUUID();
  const requested: string[] = [];
  const methods = [SECRETS_GET, HEALTH_CHECK, AUTH_CREDENTIALS];
  const dialOptions = {
    method: 'POST',
    path: '/session',
    hijack: true,
    headers: {
      Upgrade: 'h2c',
      'X-Docker-Expose-Session-Uuid': id,
      'X-Docker-Expose-Session-Name': 'modelship',
      'X-Docker-Expose-Session-Sharedkey': '',
      // BuildKit asks the session for these methods only when the client says it serves them.
      'X-Docker-Expose-Session-Grpc-Method': methods,
    },
    statusCodes: { 101: true, 200: true, 500: 'server error' },
  };
  return new Promise((resolve, reject) => {
    api.modem.dial(dialOptions as never, (error: unknown, socket: unknown) => {
      if (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      const server = new grpc.Server();
      const service = {
        GetSecret: unary<string, Buffer>(SECRETS_GET, (b) => protobufStringField(b, 1) ?? '', (data) => protobufBytesField(1, data)),
      };
      server.addService(service as never, {
        GetSecret: (call: { request: string }, callback: Reply<Buffer>) => {
          requested.push(call.request);
          onDebug?.(`build session: BuildKit asked for secret ${call.request} (${secrets.has(call.request) ? 'given' : 'not set'})`);
          const value = secrets.get(call.request);
          if (value === undefined) callback({ code: grpc.status.NOT_FOUND, details: `secret ${call.request} not set` });
          else callback(null, value);
        },
      });
      // Health: SERVING (status = 1), so BuildKit keeps the session through long builds.
      server.addService({ Check: unary<Buffer, null>(HEALTH_CHECK, (b) => b, () => Buffer.from([0x08, 0x01])) } as never, {
        Check: (_call: unknown, callback: Reply<null>) => callback(null, null),
      });
      // No credentials: base images are pulled anonymously, as they are without a session.
      server.addService({ Credentials: unary<Buffer, null>(AUTH_CREDENTIALS, (b) => b, () => Buffer.alloc(0)) } as never, {
        Credentials: (_call: unknown, callback: Reply<null>) => callback(null, null),
      });
      const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
      injector.injectConnection(socket as Duplex);
      onDebug?.(`build session ${id} open (serving ${secrets.size} secret${secrets.size === 1 ? '' : 's'}: ${[...secrets.keys()].join(', ') || 'none'})`);
      resolve({
        id,
        requested,
        close: () => {
          server.forceShutdown();
          (socket as Duplex).end();
        },
      });
    });
  });
}

/**
 * The strings a build's output must not show for these secrets: each value, each `key = value`
 * setting of a pip.conf, and the form pip prints a URL in ("https://user:****@host"), so a step
 * that echoes its index (pip's "Looking in indexes: …") prints `***` instead.
 */
export function secretRedactor(secrets: ReadonlyMap<string, Buffer> | undefined): (text: string) => string {
  const needles = new Set<string>();
  for (const [id, value] of secrets ?? []) {
    const text = value.toString('utf8');
    const candidates = id.endsWith('.conf') ? text.split('\n').map((line) => /^\s*[^#;=\s][^=]*=\s*(.+)$/.exec(line)?.[1] ?? '') : [text];
    for (const raw of candidates.flatMap((c) => c.split(/\s+/))) {
      const value = raw.trim();
      if (value.length < 6) continue;
      needles.add(value);
      const masked = value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@/\s]+@/i, '$1****@');
      if (masked !== value) needles.add(masked);
    }
  }
  const sorted = [...needles].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return (text) => text;
  return (text) => sorted.reduce((acc, needle) => acc.split(needle).join('***'), text);
}
