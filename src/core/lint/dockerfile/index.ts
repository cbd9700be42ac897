/**
 * `lintDockerfile(text, ctx)`: the Dockerfile rules (MS-DF000...MS-DF019, documented in rules.ts)
 * over one Dockerfile, with ignore comments and severity settings applied.
 *
 * Invariants: pure and synchronous (the caller reads the Dockerfile, .dockerignore and the context
 * listing); never throws, whatever the text; the file is parsed once and every rule reads the same
 * tree; findings use zero-based ranges in `ctx.file`, and every fix only edits that file.
 */
import { configureFindings } from '../configure';
import { DEFAULT_LINT_SETTINGS, type Finding } from '../types';
import { Analysis, type DockerfileLintContext, type Rule } from './analysis';
import { addRemoteUrl } from './checks/addUrl';
import { aptListsKept, aptNoInstallRecommends } from './checks/apt';
import { untaggedBaseImage } from './checks/baseImage';
import { shellFormCommand } from './checks/commandForm';
import { copySourceUnavailable, lfsPointerCopied } from './checks/contextSources';
import { largeBuildContext } from './checks/contextSize';
import { gpuWheels, tensorflowCudaMismatch } from './checks/gpu';
import { noHealthcheck } from './checks/healthcheck';
import { pipeWithoutPipefail } from './checks/pipefail';
import { pipNoCacheDir, unpinnedPackages } from './checks/pip';
import { secretInBuildConfig } from './checks/secrets';
import { runsAsRoot } from './checks/user';
import { relativeWorkdir } from './checks/workdir';
import { DockerfileModel } from './model';
import { DF, type DockerfileRuleId } from './rules';
import { parseDockerfile, syntaxFindings } from './syntax';

export type { DockerfileLintContext } from './analysis';
export { RULES as DOCKERFILE_RULES } from './rules';

/** Each check with the ids it may report: a check runs unless all of them are turned off. */
const CHECKS: [Rule, DockerfileRuleId[]][] = [
  [syntaxFindings, [DF.syntax]],
  [untaggedBaseImage, [DF.untaggedBase]],
  [runsAsRoot, [DF.runsAsRoot]],
  [pipNoCacheDir, [DF.pipCache]],
  [aptNoInstallRecommends, [DF.aptRecommends]],
  [aptListsKept, [DF.aptLists]],
  [shellFormCommand, [DF.shellForm]],
  [secretInBuildConfig, [DF.secret]],
  [copySourceUnavailable, [DF.copySource, DF.servedModel]],
  [relativeWorkdir, [DF.relativeWorkdir]],
  [pipeWithoutPipefail, [DF.pipefail]],
  [addRemoteUrl, [DF.addUrl]],
  [largeBuildContext, [DF.buildContext]],
  [lfsPointerCopied, [DF.lfsPointer]],
  [gpuWheels, [DF.cudaCpuWheels, DF.cudaTwice]],
  [tensorflowCudaMismatch, [DF.tensorflowCuda]],
  [unpinnedPackages, [DF.unpinned]],
  [noHealthcheck, [DF.healthcheck]],
];

export interface AnalyzeOptions {
  /** Let a check's exception escape instead of dropping that check's findings (tests and fuzzing). */
  rethrow?: boolean;
}

/** Lints one Dockerfile; the findings are configured (ignore comments, severities) and sorted. */
export function lintDockerfile(text: string, ctx: DockerfileLintContext): Finding[] {
  const settings = ctx?.settings ?? DEFAULT_LINT_SETTINGS;
  const source = typeof text === 'string' ? text : '';
  try {
    return configureFindings(analyzeDockerfile(source, ctx), source, settings);
  } catch (error) {
    return [{
      ruleId: DF.syntax, severity: 'error', file: ctx?.file ?? 'Dockerfile', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      message: `The Dockerfile could not be linted (${error instanceof Error ? error.message : String(error)}); please report this with the file.`,
    }];
  }
}

/** Every check's raw findings, before ignore comments and settings. */
export function analyzeDockerfile(text: string, ctx: DockerfileLintContext, options: AnalyzeOptions = {}): Finding[] {
  const rules = ctx.settings?.rules ?? {};
  const a = new Analysis(new DockerfileModel(text, parseDockerfile(text)), ctx);
  for (const [check, ids] of CHECKS) {
    if (ids.every((id) => rules[id] === 'off')) continue;
    try {
      check(a);
    } catch (error) {
      if (options.rethrow) throw error;
    }
  }
  return a.findings;
}
