/**
 * MS-DF008: COPY/ADD sources exist in the build context and .dockerignore keeps them.
 * MS-DF013: the same for the served model, plus a MODEL_PATH that nothing in the image provides.
 * MS-DF014: no Git LFS pointer is copied where a model should be.
 */
import { posix } from 'node:path';
import { formatBytes } from '../../../formatBytes';
import type { Analysis, Rule } from '../analysis';
import { sourceFor, type CopySource, type CopyStep } from '../buildContext';
import type { Prop } from '../model';
import { globMatches } from '../patterns';
import { DF } from '../rules';
import { contextModels, looksLikeModel, modelEnv } from './models';

const contextName = (a: Analysis): string => (a.context.dir ? `the build context (${a.context.dir}/)` : 'the build context');

export const copySourceUnavailable: Rule = (a) => {
  const reported = new Set<CopySource>();
  for (const step of a.copySteps) {
    for (const source of step.sources) {
      const problem = sourceProblem(a, source);
      if (!problem) continue;
      reported.add(source);
      const id = looksLikeModel(a, source.path) ? DF.servedModel : DF.copySource;
      const what = id === DF.servedModel ? `${step.ins.keyword} ${source.arg.value} copies a model, but ${problem}` : `${step.ins.keyword} ${source.arg.value}: ${problem}`;
      a.report(id, source.arg.range, `${what}.`);
    }
  }
  modelPathProvided(a, reported);
};

function sourceProblem(a: Analysis, source: CopySource): string | undefined {
  const ctx = a.context;
  if (source.whole) return undefined;
  if (source.wildcard) {
    if (!ctx.knowsFiles || ctx.matching(source.path).length > 0) return undefined;
    return `the pattern matches no file that reaches the builder (after .dockerignore), so the build fails: fix the pattern or the .dockerignore rule`;
  }
  if (ctx.ignores(source.path)) {
    return `.dockerignore excludes ${source.path}, so the build fails with "not found": remove the rule, or add !${source.path} at the end of .dockerignore`;
  }
  if (ctx.exists(source.path) === false) return `${source.path} does not exist in ${contextName(a)}, so the build fails with "not found": fix the path`;
  return undefined;
}

/** How the final image gets the file MODEL_PATH or MODEL_DIR names. */
export interface ModelPathSource {
  prop: Prop;
  value: string;
  /** The absolute path it names; undefined when it is relative or holds a variable (not checked). */
  target: string | undefined;
  /** A VOLUME covers it: the model is mounted at run time. */
  volume: boolean;
  /** The last context COPY/ADD of the final image that puts a file there, and the context path it reads. */
  copy?: { step: CopyStep; source: CopySource; path: string };
  /** A RUN, or a COPY from another stage or image, may put it there. */
  otherwise: boolean;
}

/** MODEL_PATH and MODEL_DIR of the final image, each with what provides it (MS-DF013 and MS-X002 share this). */
export function modelPathSources(a: Analysis): ModelPathSource[] {
  const finalStages = new Set(a.model.chain(a.model.finalStage).map((s) => s.index));
  const final = a.model.finalInstructions();
  const steps = a.copySteps.filter((s) => finalStages.has(s.ins.stage));
  return modelEnv(a).map(({ prop, value }) => {
    const target = posix.normalize(value).replace(/\/+$/, '');
    if (!target.startsWith('/') || value.includes('$')) return { prop, value, target: undefined, volume: false, otherwise: false };
    const covers = (dir: string): boolean => target === dir || target.startsWith(`${dir.replace(/\/+$/, '')}/`);
    const dir = posix.dirname(target);
    const copy = firstProvider(a, steps, target);
    return {
      prop, value, target,
      volume: final.some((i) => i.keyword === 'VOLUME' && i.args.some((x) => covers(posix.normalize(x.value)))),
      ...(copy ? { copy } : {}),
      otherwise: final.some((i) => (i.keyword === 'RUN' && i.args.some((x) => x.value.includes(dir) && dir !== '/'))
        || ((i.keyword === 'COPY' || i.keyword === 'ADD') && i.flags.some((f) => f.name === 'from' || f.name === 'link') && i.args.some((x) => x.value.startsWith(dir)))),
    };
  });
}

/** MS-DF013 for MODEL_PATH / MODEL_DIR: a COPY provides it from a kept file, or a VOLUME, a RUN or another stage does. */
function modelPathProvided(a: Analysis, reported: Set<CopySource>): void {
  for (const { prop, value, target, volume, copy: found, otherwise } of modelPathSources(a)) {
    if (target === undefined || volume) continue;
    if (found) {
      if (reported.has(found.source) || found.path === found.source.path) continue;
      const via = `${found.step.ins.keyword} ${found.source.arg.value} ${found.step.ins.args.at(-1)?.value ?? ''}`;
      if (a.context.ignores(found.path)) {
        a.report(DF.servedModel, found.source.arg.range, `${prop.name}=${value} comes from ${via}, but .dockerignore excludes ${found.path}, so the image is built without the model and the server fails at start: add !${found.path} at the end of .dockerignore.`);
      } else if (a.context.exists(found.path) === false) {
        a.report(DF.servedModel, found.source.arg.range, `${prop.name}=${value} comes from ${via}, but ${found.path} does not exist in ${contextName(a)}, so the server fails at start: fix the path.`);
      }
      continue;
    }
    const local = contextModels(a).find((m) => posix.basename(m.path) === posix.basename(target));
    if (otherwise || !local) continue;
    a.report(DF.servedModel, prop.range, `${prop.name}=${value}, but nothing in the image puts a file there, so the server fails at start: copy the model (COPY ${local.path} ${value}) or, when it is mounted at run time, declare VOLUME ["${posix.dirname(target)}"].`);
  }
}

function firstProvider(a: Analysis, steps: CopyStep[], target: string): { step: CopyStep; source: CopySource; path: string } | undefined {
  for (const step of [...steps].reverse()) {
    const found = sourceFor(step, target, a.context);
    if (found) return { step, ...found };
  }
  return undefined;
}

export const lfsPointerCopied: Rule = (a) => {
  const pointers = contextModels(a).filter((m) => m.model.format === 'lfs-pointer' && !a.context.ignores(m.path));
  if (pointers.length === 0) return;
  for (const step of a.copySteps) {
    for (const source of step.sources) {
      const sent = pointers.filter((m) => source.whole || m.path === source.path || m.path.startsWith(`${source.path}/`) || (source.wildcard && globMatches(source.path, m.path)));
      if (sent.length === 0) continue;
      const first = sent[0]!;
      const size = first.model.details?.lfsSize;
      const real = size ? `the ${formatBytes(size)} model` : 'the model';
      const what = sent.length === 1
        ? `${first.path} is a Git LFS pointer (${formatBytes(first.model.bytes)} of text), not ${real}`
        : `${sent.length} of the files it copies are Git LFS pointers, not models (${sent.slice(0, 3).map((m) => m.path).join(', ')}${sent.length > 3 ? ', ...' : ''})`;
      a.report(DF.lfsPointer, source.arg.range, `${step.ins.keyword} ${source.arg.value}: ${what}, so the image builds and the server fails to load it: run git lfs pull before docker build (in CI, actions/checkout with lfs: true).`);
    }
  }
};
