/** MS-DF011: ADD does not download URLs without a checksum. */
import type { Rule } from '../analysis';
import { DF } from '../rules';

export const addRemoteUrl: Rule = (a) => {
  for (const ins of a.model.instructions) {
    if (ins.keyword !== 'ADD' || ins.flags.some((f) => f.name === 'checksum')) continue;
    for (const arg of ins.args.slice(0, -1)) {
      if (!/^https?:\/\//i.test(arg.value)) continue;
      const file = arg.value.replace(/[?#].*$/, '').split('/').filter(Boolean).pop() ?? 'file';
      a.report(DF.addUrl, arg.range, `ADD ${arg.value} downloads it unverified at build time and again on every cache miss: use RUN curl -fsSL ${arg.value} -o ${file} && echo "<sha256>  ${file}" | sha256sum -c -, or ADD --checksum=sha256:<hash>.`);
    }
  }
};
