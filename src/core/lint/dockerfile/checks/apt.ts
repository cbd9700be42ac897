/**
 * MS-DF004: apt installs without recommended packages.
 * MS-DF005: a RUN that downloads the apt lists also deletes them, in stages that reach the image.
 */
import type { Rule } from '../analysis';
import { removesAptLists } from '../commands';
import { DF } from '../rules';
import { shellOffsetAfter } from '../shell';

const NO_RECOMMENDS = /Install-Recommends=(false|0|no|off)/i;

export const aptNoInstallRecommends: Rule = (a) => {
  for (const at of a.aptCommands) {
    const { apt } = at;
    if (apt.sub !== 'install' || apt.options.some((o) => o.text === '--no-install-recommends' || NO_RECOMMENDS.test(o.text))) continue;
    const range = a.wordRange(at.shell, apt.inv.programWord, apt.subWord);
    const edit = a.insertAt(shellOffsetAfter(at.shell, apt.subWord.end), ' --no-install-recommends');
    const packages = apt.packages.map((p) => p.text).join(' ');
    a.report(DF.aptRecommends, range, `${a.model.slice(range)} ${packages} also installs every recommended package (often hundreds of MB the server never uses): add --no-install-recommends.`,
      { fixes: [a.fix('Add --no-install-recommends', edit)] });
  }
};

export const aptListsKept: Rule = (a) => {
  const shipped = new Set(a.model.chain(a.model.finalStage).map((s) => s.index));
  const reported = new Set<number>();
  for (const at of a.aptCommands) {
    const { ins, shell, apt } = at;
    if (apt.sub !== 'update' || !shipped.has(ins.stage) || reported.has(ins.index)) continue;
    if (shell.commands.some(removesAptLists)) continue;
    if (ins.flags.some((f) => f.name === 'mount' && /type=cache/.test(f.value ?? '') && /\/var\/lib\/apt/.test(f.value ?? ''))) continue;
    reported.add(ins.index);
    const range = a.wordRange(shell, apt.inv.programWord, apt.subWord);
    const last = shell.commands[shell.commands.length - 1];
    const endsWithSeparator = last !== undefined && (last.op === ';' || last.op === '&');
    const append = endsWithSeparator ? ' rm -rf /var/lib/apt/lists/*' : ` ${a.model.escape}${a.model.index.eol} && rm -rf /var/lib/apt/lists/*`;
    const end = shellOffsetAfter(shell, shell.text.trimEnd().length);
    const fixes = /(^|\s)#/.test(shell.text) ? [] : [a.fix('Remove the apt lists in the same RUN', a.insertAt(end, append))];
    a.report(DF.aptLists, range, `${a.model.slice(range)} leaves the package lists in /var/lib/apt/lists (tens of MB) in this layer of the final image: end the same RUN with && rm -rf /var/lib/apt/lists/*.`, { fixes });
  }
};
