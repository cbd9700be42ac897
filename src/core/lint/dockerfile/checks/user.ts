/** MS-DF002: the final stage runs as a non-root user. */
import type { Analysis, Rule } from '../analysis';
import type { Ins } from '../model';
import { DF } from '../rules';

export const NON_ROOT_USER = '10001:10001';

const ROOT = /^(root|0)(:.*)?$/;
/** Instructions that only set image metadata: a USER inserted before them changes no build step. */
const METADATA = new Set(['CMD', 'ENTRYPOINT', 'EXPOSE', 'LABEL', 'HEALTHCHECK', 'STOPSIGNAL', 'ENV', 'ARG', 'VOLUME', 'MAINTAINER', 'ONBUILD', 'SHELL']);

export const runsAsRoot: Rule = (a) => {
  const final = a.model.finalStage;
  if (!final) return;
  const users = a.model.finalInstructions().filter((i) => i.keyword === 'USER');
  const last = users[users.length - 1];
  const value = last?.args.map((x) => x.value).join(' ') ?? '';
  if (last && (value.includes('$') || !ROOT.test(value))) return;
  const fixes = [a.fix(`Add USER ${NON_ROOT_USER}`, insertUser(a, last))];
  if (last) {
    a.report(DF.runsAsRoot, a.model.argsRange(last), `USER ${value} is the last USER of the final stage, so the model server runs as root: switch to a non-root user after the steps that need root, e.g. USER ${NON_ROOT_USER} (numeric, so Kubernetes runAsNonRoot can verify it).`, { fixes });
  } else {
    a.report(DF.runsAsRoot, final.from.range, `The final stage (${a.quote(final.from)}) never sets USER, so the model server runs as root: add USER ${NON_ROOT_USER} before CMD (numeric, so Kubernetes runAsNonRoot can verify it).`, { fixes });
  }
};

/** Before the CMD/ENTRYPOINT that only metadata follows (above its comments), else at the end of the file. */
function insertUser(a: Analysis, after: Ins | undefined): ReturnType<Analysis['insertAt']> {
  const stage = a.model.finalStage!;
  const eol = a.model.index.eol;
  const rest = stage.instructions.filter((i) => !after || i.index > after.index);
  const at = rest.findIndex((i, k) => (i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT') && rest.slice(k).every((j) => METADATA.has(j.keyword)));
  const target = rest[at];
  if (!target) {
    const text = a.model.text;
    return a.insertAt(text.length, `${/[\r\n]$/.test(text) ? '' : eol}USER ${NON_ROOT_USER}${eol}`);
  }
  const previousEnd = a.model.instructions[target.index - 1]?.range.end.line ?? -1;
  let line = target.range.start.line;
  while (line - 1 > previousEnd && /^\s*#/.test(a.model.index.lineText(line - 1))) line--;
  return a.insertAt(a.model.index.lineStart(line), `USER ${NON_ROOT_USER}${eol}`);
}
