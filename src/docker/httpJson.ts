/**
 * One small HTTP exchange with a running model server (readiness polls, smoke tests): JSON in,
 * status and text out, with a timeout, never through a proxy (the server is on loopback).
 */
import * as http from 'node:http';
import * as https from 'node:https';

export interface HttpReply {
  status: number;
  text: string;
  /** Milliseconds from sending to the last byte. */
  ms: number;
}

export function httpJson(url: string, options: { method?: string; body?: unknown; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<HttpReply> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: options.method ?? (payload ? 'POST' : 'GET'),
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
        timeout: options.timeoutMs ?? 10_000,
        agent: false,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ms: Date.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}
