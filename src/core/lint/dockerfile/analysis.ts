/**
 * One lint run over one Dockerfile: the parsed model, what the caller told us about the workspace,
 * the analyses several rules share (shell commands, pip and apt calls, COPY steps, the build
 * context), computed on first use, and the findings reported so far.
 */
import type { ProjectDescription } from '../../detect/types';
import type { Finding, Fix, LintSettings, Range, Severity, TextEdit } from '../types';
import { BuildContext, copySteps, type CopyStep } from './buildContext';
import { aptCommand, pipInstall, type AptCommand, type PipInstallCommand } from './commands';
import type { DockerfileModel, Ins } from './model';
import { defaultSeverity, type DockerfileRuleId } from './rules';
import { shellOf, shellRange, type Shell, type ShellWord } from './shell';

/** What `lintDockerfile` needs besides the text. Plain data, as every boundary type. */
export interface DockerfileLintContext {
  /** Project-relative POSIX path of the Dockerfile. */
  file: string;
  settings: LintSettings;
  /** Text of the .dockerignore beside it (the build context root is the Dockerfile's folder). */
  dockerignore?: string;
  /** The detection result: models (path, bytes, format, framework), requirements (pinned?), Python. */
  project?: ProjectDescription;
  /** Files under the build context (project-relative), to estimate what `COPY .` sends. */
  contextFiles?: { path: string; bytes: number }[];
}

export interface PipAt {
  ins: Ins;
  shell: Shell;
  pip: PipInstallCommand;
}

export interface AptAt {
  ins: Ins;
  shell: Shell;
  apt: AptCommand;
}

export interface Extras {
  /** Only for MS-DF000, whose findings keep dockerfile-utils' severity. */
  severity?: Severity;
  fixes?: Fix[];
  related?: { range: Range; message: string }[];
}

export class Analysis {
  readonly findings: Finding[] = [];
  private readonly shells = new Map<Ins, Shell | undefined>();
  private memo: { context?: BuildContext; pips?: PipAt[]; apts?: AptAt[]; copies?: CopyStep[] } = {};

  constructor(readonly model: DockerfileModel, readonly ctx: DockerfileLintContext) {}

  get project(): ProjectDescription | undefined {
    return this.ctx.project;
  }

  get context(): BuildContext {
    return (this.memo.context ??= new BuildContext(this.ctx));
  }

  /** The POSIX shell command of a shell-form instruction; undefined under another SHELL (PowerShell, cmd). */
  shell(ins: Ins): Shell | undefined {
    if (!this.shells.has(ins)) {
      const program = this.model.shellAt(ins)?.[0]?.value ?? '/bin/sh';
      const posix = /(^|[\\/])((ba|a|da|z|k|mk)?sh|busybox)(\.exe)?$/i.test(program);
      this.shells.set(ins, posix ? shellOf(this.model, ins) : undefined);
    }
    return this.shells.get(ins);
  }

  /** Every pip/uv install in a shell-form RUN, in file order. */
  get pipInstalls(): PipAt[] {
    return (this.memo.pips ??= this.collect((c) => pipInstall(c), (ins, shell, pip) => ({ ins, shell, pip })));
  }

  get aptCommands(): AptAt[] {
    return (this.memo.apts ??= this.collect((c) => aptCommand(c), (ins, shell, apt) => ({ ins, shell, apt })));
  }

  get copySteps(): CopyStep[] {
    return (this.memo.copies ??= copySteps(this.model));
  }

  private collect<T, R>(recognise: (c: Shell['commands'][number]) => T | undefined, make: (ins: Ins, shell: Shell, value: T) => R): R[] {
    const out: R[] = [];
    for (const ins of this.model.instructions) {
      if (ins.keyword !== 'RUN') continue;
      const shell = this.shell(ins);
      if (!shell) continue;
      for (const command of shell.commands) {
        const value = command.words.length > 0 ? recognise(command) : undefined;
        if (value !== undefined) out.push(make(ins, shell, value));
      }
    }
    return out;
  }

  wordRange(shell: Shell, first: ShellWord, last: ShellWord = first): Range {
    return shellRange(this.model, shell, first.start, last.end);
  }

  report(id: DockerfileRuleId, range: Range, message: string, extras: Extras = {}): void {
    const finding: Finding = { ruleId: id, severity: extras.severity ?? defaultSeverity(id), message, file: this.ctx.file, range };
    if (extras.fixes && extras.fixes.length > 0) finding.fixes = extras.fixes;
    if (extras.related && extras.related.length > 0) finding.related = extras.related.map((r) => ({ file: this.ctx.file, ...r }));
    this.findings.push(finding);
  }

  insertAt(offset: number, newText: string): TextEdit {
    const at = this.model.index.positionAt(offset);
    return { range: { start: at, end: at }, newText };
  }

  /** A fix with one edit. */
  fix(title: string, ...edits: TextEdit[]): Fix {
    return { title, edits };
  }

  /** How an instruction is quoted in a message: its first line, shortened. */
  quote(ins: Ins, max = 80): string {
    const line = this.model.index.lineText(ins.range.start.line).slice(ins.range.start.character).trim();
    const text = ins.range.end.line > ins.range.start.line ? `${line.replace(/\s*\\$/, '')} ...` : line;
    return text.length > max ? `${text.slice(0, max - 3)}...` : text;
  }
}

export type Rule = (a: Analysis) => void;
