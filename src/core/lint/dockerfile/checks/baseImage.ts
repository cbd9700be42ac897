/** MS-DF001: every FROM pins a tag other than `latest`, or a digest. */
import type { Analysis, Rule } from '../analysis';
import type { Stage } from '../model';
import { DF } from '../rules';

const PYTHON = /(?:^|\/)python$/;

export const untaggedBaseImage: Rule = (a) => {
  const aliases = new Set<string>();
  for (const stage of a.model.stages) {
    check(a, stage, aliases);
    if (stage.alias) aliases.add(stage.alias);
  }
};

/** Splits `registry:5000/name:tag` into name and tag; the tag is undefined when none is written. */
export function splitImage(image: string): { name: string; tag: string | undefined; digest: boolean } {
  const at = image.indexOf('@');
  const ref = at < 0 ? image : image.slice(0, at);
  const colon = ref.indexOf(':', ref.lastIndexOf('/') + 1);
  return { name: colon < 0 ? ref : ref.slice(0, colon), tag: colon < 0 ? undefined : ref.slice(colon + 1), digest: at >= 0 };
}

function check(a: Analysis, stage: Stage, aliases: Set<string>): void {
  const image = stage.resolved;
  if (!image || !stage.imageRange || image.toLowerCase() === 'scratch' || aliases.has(image.toLowerCase())) return;
  const { name, tag, digest } = splitImage(image);
  if (digest || (tag !== undefined && tag !== 'latest' && tag !== '')) return;
  const python = a.project?.python.version;
  const isPython = PYTHON.test(name);
  const suggestion = isPython ? `${name}:${python ?? '<version>'}-slim` : `${name}:<version>`;
  const why = name.endsWith('nvidia/cuda') ? ' (nvidia/cuda publishes no latest tag, so the build fails)' : ', which changes under you: two builds of the same commit can get another Python, CUDA or system libraries';
  const written = tag === undefined ? `FROM ${image} has no tag, so Docker pulls ${name}:latest` : `FROM ${image} uses the moving latest tag`;
  const versionNote = isPython && python ? ` (the project's Python ${python})` : '';
  const fixes = isPython && python && stage.image === image
    ? [a.fix(`Pin ${name}:${python}-slim`, { range: stage.imageRange, newText: `${name}:${python}-slim` })]
    : [];
  a.report(DF.untaggedBase, stage.imageRange, `${written}${why}. Pin a tag, e.g. ${suggestion}${versionNote}, or a digest.`, { fixes });
}
