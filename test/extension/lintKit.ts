// Helpers for the lint suites: a scripted linter and pickle scanner (so the editor wiring is
// tested whatever the engines report), files written into the workspace copy, diagnostics lookups,
// and skipping with a printed reason.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { ModelFormat } from '../../src/core/detect/types';
import type { Finding, LintableKind, LintInput, ModelSafety } from '../../src/core/lint';
import { rangeAt } from '../../src/core/lint/types';
import type { WorkspaceReader } from '../../src/core/workspaceReader';
import type { ModelScanner } from '../../src/extension/ctx';
import { uriOf } from './testApi';

/** The bytes of a protocol-0 pickle whose loading runs `os.system('echo hi')`. */
export const EVIL_PICKLE = Buffer.from("cos\nsystem\n(S'echo hi'\ntR.", 'latin1');

/** Prints `reason` into the suite's output (the spec reporter shows no reason for pending tests), then skips. */
export function skipBecause(ctx: Mocha.Context, reason: string): never {
  const line = `      (skipped: ${reason})\n`;
  if (process.env.VSCODE_TEST_OUTPUT) fs.appendFileSync(process.env.VSCODE_TEST_OUTPUT, line);
  ctx.skip();
  throw new Error('unreachable');
}

export interface LinterCall {
  file: string;
  kind: LintableKind;
  text: string;
  dockerignore?: string;
  modelCount?: number;
  contextFiles?: { path: string; bytes: number }[];
  rules: Record<string, string>;
}

/**
 * A linter standing in for the engines, with rules simple enough to predict:
 * - MS-T001 (warning) on `FROM <image>:latest`, fixed by pinning `3.11-slim`, related to requirements.txt;
 * - MS-DF000 (error) on a line starting `BOGUS` (a syntax error, which Docker's extension also reports);
 * - MS-T003 (info) on `RUN pip install` without `--no-cache-dir`, fixed by adding it;
 * - MS-T002 (error) on `kind: Deployment` in a manifest; MS-K8S001 (error) on `replicas: "…"` (a schema error).
 * A text containing `# slow` takes 600 ms, or, while a test holds the gate (`holdSlow`), until the
 * test releases it: a race between an edit and a running lint that no machine's speed decides.
 */
export class FakeLinter {
  readonly calls: LinterCall[] = [];
  private gate: Promise<void> | undefined;

  /** Makes `# slow` lints wait until the returned function is called. */
  holdSlow(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => { release = resolve; });
    return () => {
      this.gate = undefined;
      release();
    };
  }

  readonly lint = async (input: LintInput, kind: LintableKind): Promise<Finding[]> => {
    this.calls.push({
      file: input.file, kind, text: input.text, rules: { ...input.settings.rules },
      ...(input.dockerignore !== undefined ? { dockerignore: input.dockerignore } : {}),
      ...(input.project ? { modelCount: input.project.models.length } : {}),
      ...(input.contextFiles ? { contextFiles: input.contextFiles } : {}),
    });
    if (input.text.includes('# slow')) await (this.gate ?? new Promise((r) => setTimeout(r, 600)));
    const findings: Finding[] = [];
    input.text.split('\n').forEach((line, i) => {
      const at = (ruleId: string, severity: Finding['severity'], message: string, extra: Partial<Finding> = {}): void => {
        findings.push({ ruleId, severity, message, file: input.file, range: rangeAt(i, 0, i, line.length), ...extra });
      };
      if (kind === 'dockerfile') {
        const from = /^FROM\s+(\S+?):latest\b/.exec(line);
        if (from) {
          const tag = 5 + (from[1] as string).length + 1;
          at('MS-T001', 'warning', `${from[1]}:latest is not pinned`, {
            fixes: [{ title: `Pin ${from[1]} to 3.11-slim`, edits: [{ range: rangeAt(i, tag, i, tag + 'latest'.length), newText: '3.11-slim' }] }],
            related: [{ file: 'requirements.txt', range: rangeAt(0, 0, 0, 4), message: 'the Python version comes from here' }],
          });
        }
        if (/BOGUS/.test(line)) at('MS-DF000', 'error', 'unknown instruction BOGUS');
        if (/^RUN pip install/.test(line) && !line.includes('--no-cache-dir')) {
          at('MS-T003', 'info', 'pip keeps its cache in the image', {
            fixes: [{ title: 'Add --no-cache-dir', edits: [{ range: rangeAt(i, 15, i, 15), newText: ' --no-cache-dir' }] }],
          });
        }
      } else {
        if (/^kind:\s*Deployment/.test(line)) at('MS-T002', 'error', 'the Deployment sets no resources');
        if (/^\s*replicas:\s*"/.test(line)) at('MS-K8S001', 'error', 'replicas must be an integer');
      }
    });
    return findings;
  };

  /** Calls for `file` so far. */
  count(file: string): number {
    return this.calls.filter((c) => c.file === file).length;
  }

  last(file: string): LinterCall | undefined {
    return [...this.calls].reverse().find((c) => c.file === file);
  }
}

/**
 * A pickle scanner standing in for the engine: a file starting with a protocol-0 GLOBAL of
 * `os.*`, `posix.*`, `subprocess.*` or `builtins.eval/exec` is unsafe; anything else is safe.
 */
export class FakeScanner implements ModelScanner {
  readonly scanned: string[] = [];

  async scan(reader: WorkspaceReader, path: string, size: number, _format: ModelFormat): Promise<ModelSafety> {
    this.scanned.push(path);
    const bytes = Buffer.from(await reader.read(path, 0, Math.min(size, 4096))).toString('latin1');
    const global = /^c([^\n]+)\n([^\n]+)\n/.exec(bytes);
    if (!global) return { verdict: 'safe', globals: [], scannedBytes: size, complete: true, notes: [] };
    const [module, name] = [global[1] as string, global[2] as string];
    const unsafe = ['os', 'posix', 'subprocess'].includes(module) || (module === 'builtins' && ['eval', 'exec'].includes(name));
    const verdict = unsafe ? 'unsafe' : 'suspicious';
    return { verdict, globals: [{ module, name, offset: 0, verdict, reason: unsafe ? 'runs a command' : 'unknown import' }], scannedBytes: size, complete: true, notes: [] };
  }

  findings(path: string, safety: ModelSafety): Finding[] {
    return safety.globals.filter((g) => g.verdict !== 'safe').map((g) => ({
      ruleId: g.verdict === 'unsafe' ? 'MS-PKL001' : 'MS-PKL002',
      severity: g.verdict === 'unsafe' ? 'error' : 'warning',
      message: `loading ${path} calls ${g.module}.${g.name} (byte ${g.offset})`,
      file: path,
      range: rangeAt(0, 0, 0, 0),
    }));
  }
}

/** Writes a workspace file (creating folders) through the workspace API. */
export async function writeFile(relative: string, text: string | Buffer): Promise<vscode.Uri> {
  const uri = uriOf(relative);
  await vscode.workspace.fs.writeFile(uri, typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  return uri;
}

/** Our diagnostics on `uri`. */
export function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Modelship');
}

export function codeOf(d: vscode.Diagnostic): string {
  const code = d.code;
  return String(typeof code === 'object' && code !== null ? code.value : code);
}

/** Our diagnostics' codes on `uri`, sorted. */
export function codes(uri: vscode.Uri): string[] {
  return ours(uri).map(codeOf).sort();
}

/** Waits until our codes on `uri` are exactly `expected` (sorted). */
export async function waitForCodes(uri: vscode.Uri, expected: string[], timeoutMs = 5000): Promise<void> {
  const want = JSON.stringify([...expected].sort());
  const t0 = Date.now();
  while (JSON.stringify(codes(uri)) !== want) {
    if (Date.now() - t0 > timeoutMs) assert.fail(`timed out after ${timeoutMs} ms waiting for codes ${want} on ${uri.path}; have ${JSON.stringify(codes(uri))}`);
    await sleep(25);
  }
}

/** The quick fixes VS Code collects for `range` of `uri` (every provider, ours included). */
export async function codeActionsAt(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', uri, range);
  return (actions ?? []).filter((a): a is vscode.CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string'));
}

export async function applyAction(action: vscode.CodeAction | undefined, what: string): Promise<void> {
  assert.ok(action, `the ${what} action is offered`);
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `the ${what} edit applied`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
