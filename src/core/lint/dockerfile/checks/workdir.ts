/** MS-DF009: WORKDIR paths are absolute. */
import { posix } from 'node:path';
import type { Rule } from '../analysis';
import { DF } from '../rules';

export const relativeWorkdir: Rule = (a) => {
  for (const ins of a.model.instructions) {
    if (ins.keyword !== 'WORKDIR' || ins.args.length === 0) continue;
    const value = ins.args.map((x) => x.value).join(' ');
    if (value.startsWith('/') || value.includes('$') || /^[A-Za-z]:[\\/]/.test(value) || value.startsWith('\\')) continue;
    const previous = a.model.workdirBefore(ins);
    const range = a.model.argsRange(ins);
    const base = previous === undefined || previous === '/' ? "the base image's WORKDIR" : `the previous WORKDIR (${previous})`;
    if (previous === undefined) {
      a.report(DF.relativeWorkdir, range, `WORKDIR ${value} is relative, so it depends on ${base}: write an absolute path.`);
      continue;
    }
    const absolute = posix.resolve(previous, value);
    a.report(DF.relativeWorkdir, range, `WORKDIR ${value} is relative, so it depends on ${base}: write the absolute path, ${absolute}.`,
      { fixes: [a.fix(`Use WORKDIR ${absolute}`, { range, newText: absolute })] });
  }
};
