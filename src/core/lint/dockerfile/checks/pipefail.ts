/** MS-DF010: a RUN with a pipe fails when any command of the pipe fails. */
import type { Analysis, Rule } from '../analysis';
import { setsPipefail } from '../commands';
import type { Ins } from '../model';
import { DF } from '../rules';
import type { ShellCommand } from '../shell';

export const pipeWithoutPipefail: Rule = (a) => {
  for (const ins of a.model.instructions) {
    if (ins.keyword !== 'RUN') continue;
    const shell = a.shell(ins);
    if (!shell || shell.heredoc || shellHasPipefail(a, ins)) continue;
    const pipeline = firstUnguardedPipeline(shell.commands);
    if (!pipeline) continue;
    const range = a.wordRange(shell, pipeline[0]!.words[0]!, pipeline[pipeline.length - 1]!.words.at(-1)!);
    const shellLine = pipefailShell(a, ins);
    const insert = a.insertAt(a.model.index.lineStart(ins.range.start.line), `SHELL ${shellLine}${a.model.index.eol}`);
    a.report(DF.pipefail, range, `The pipeline ${a.model.slice(range).replace(/\s*\\\r?\n\s*/g, ' ')} succeeds when any command but the last fails, so the build goes on with a broken layer: run it under SHELL ${shellLine}.`,
      { fixes: [a.fix(`Insert SHELL ${shellLine}`, insert)] });
  }
};

/** The first pipeline (commands joined by `|`) not preceded by `set -o pipefail` in the same RUN. */
function firstUnguardedPipeline(commands: ShellCommand[]): ShellCommand[] | undefined {
  for (let i = 0; i < commands.length; i++) {
    const c = commands[i]!;
    if (c.words.length > 0 && setsPipefail(c)) return undefined;
    if ((c.op === '|' || c.op === '|&') && c.words.length > 0) {
      const pipeline = [c];
      for (let j = i + 1; j < commands.length; j++) {
        const next = commands[j]!;
        if (next.words.length > 0) pipeline.push(next);
        if (next.op !== '|' && next.op !== '|&') break;
      }
      if (pipeline.length > 1) return pipeline;
    }
  }
  return undefined;
}

/** Whether the SHELL in effect at `ins` sets pipefail (`-o pipefail`, `-eo pipefail`...). */
function shellHasPipefail(a: Analysis, ins: Ins): boolean {
  const shell = a.model.shellAt(ins) ?? [];
  return shell.some((x, k) => x.value === 'pipefail' && /^-[A-Za-z]*o$/.test(shell[k - 1]?.value ?? ''));
}

/** bash where there is one; busybox ash on Alpine images. */
function pipefailShell(a: Analysis, ins: Ins): string {
  const base = a.model.baseImage(a.model.stages[ins.stage]) ?? '';
  const sh = /alpine|busybox/i.test(base) ? '/bin/ash' : '/bin/bash';
  return `["${sh}", "-o", "pipefail", "-c"]`;
}
