/**
 * The webview's one handle on VS Code: `acquireVsCodeApi()` may be called once per page, so this
 * module calls it and hands out typed `post`, `getState` and `setState`. It also forwards errors
 * thrown in the page to the extension's log (they still reach the console).
 */
import type { WebviewMessage } from '../src/extension/webview/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: WebviewMessage): void {
  api.postMessage(message);
}

/** The state saved before the page was last dropped (hidden, reloaded), if any. */
export function savedState(): unknown {
  return api.getState();
}

export function saveState(state: object): void {
  api.setState(state);
}

window.addEventListener('error', (event) => post({ type: 'clientError', message: `${event.message} (${event.filename}:${event.lineno})` }));
window.addEventListener('unhandledrejection', (event) => post({ type: 'clientError', message: `unhandled rejection: ${String(event.reason)}` }));
