/** MS-DF006: CMD and ENTRYPOINT run the server as PID 1 (exec form, or a shell that `exec`s it). */
import type { Rule } from '../analysis';
import { DF } from '../rules';
import { docOffset } from '../shell';

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

export const shellFormCommand: Rule = (a) => {
  for (const ins of a.model.instructions) {
    if ((ins.keyword !== 'CMD' && ins.keyword !== 'ENTRYPOINT') || ins.json || ins.args.length === 0) continue;
    if (ins.args[0]!.value.startsWith('[')) continue; // Malformed JSON: the syntax check reports it.
    const shell = a.shell(ins);
    if (!shell || shell.heredoc) continue;
    const first = shell.commands[0];
    if (!first) continue;
    const program = first.words.findIndex((w) => !ASSIGNMENT.test(w.text));
    if (first.words[program]?.text === 'exec') continue;
    const range = a.model.argsRange(ins);
    const written = a.model.slice(range).replace(/\s*\\\r?\n\s*/g, ' ');
    const single = shell.commands.length === 1 && first.op === '' && !first.redirected;
    const simple = single && program === 0 && first.words.every((w) => !w.dynamic && !w.glob);
    const fixes = [];
    let advice: string;
    if (simple) {
      const json = `[${first.words.map((w) => JSON.stringify(w.text)).join(', ')}]`;
      fixes.push(a.fix(`Use the exec form ${ins.keyword} ${json}`, { range, newText: json }));
      advice = `write ${ins.keyword} ${json}`;
    } else if (single && program >= 0) {
      const word = first.words[program]!;
      fixes.push(a.fix('Start the command with exec', a.insertAt(docOffset(shell, word.start), 'exec ')));
      advice = 'start the command with exec so the server replaces the shell';
    } else {
      advice = 'move the steps into a script that ends with exec, and call it in exec form';
    }
    a.report(DF.shellForm, range, `${ins.keyword} ${written} is in shell form: /bin/sh is PID 1 and does not pass SIGTERM on, so docker stop and Kubernetes wait out the grace period and then kill the server mid-request. To fix it, ${advice}.`, { fixes });
  }
};
