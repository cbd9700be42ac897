/**
 * The engine's API over its Unix socket with no client library in between, for tests that check
 * the engine itself (what it has, what it answers) rather than Modelship's adapter.
 */
import * as http from 'http';

/** The socket DOCKER_HOST names (unix:// only), else the default one. */
export const ENGINE_SOCKET = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice('unix://'.length) : '/var/run/docker.sock';

export interface EngineResponse {
  status: number;
  body: string;
}

/** One request to the engine's API; a timeout rejects naming the socket. */
export function engineRequest(method: string, urlPath: string, timeoutMs = 10_000): Promise<EngineResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: ENGINE_SOCKET, path: urlPath, method, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${ENGINE_SOCKET} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
