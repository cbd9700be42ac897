/** MS-DF019: the final image declares a HEALTHCHECK (or opts out with HEALTHCHECK NONE). */
import type { Rule } from '../analysis';
import { DF } from '../rules';

export const noHealthcheck: Rule = (a) => {
  const final = a.model.finalStage;
  if (!final) return;
  const instructions = a.model.finalInstructions();
  if (instructions.some((i) => i.keyword === 'HEALTHCHECK')) return;
  const port = instructions.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.map((x) => x.value.split('/')[0])).find((p) => p && /^\d+$/.test(p));
  const url = `http://127.0.0.1:${port ?? '8080'}/readyz`;
  a.report(DF.healthcheck, final.from.range, `The final stage (${a.quote(final.from)}) has no HEALTHCHECK, so docker ps and Compose cannot tell a server still loading its model, or stuck, from a healthy one: add e.g. HEALTHCHECK CMD ["python", "-c", "import urllib.request as u; u.urlopen('${url}', timeout=4)"] (your server's readiness path), or HEALTHCHECK NONE to opt out.`);
};
