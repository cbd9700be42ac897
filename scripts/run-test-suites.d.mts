// Types of run-test-suites.mjs, for the unit test that drives it.
export interface Step {
  name: string;
  script?: string;
  check?: boolean;
  buildsDist?: boolean;
  needsBuild?: boolean;
}
export const STEPS: Step[];
export function firstErrorLine(output: string): string;
export function runSteps(
  steps: Step[],
  options?: { resultsDir?: string; run?: (step: Step) => Promise<{ code: number; output: string }>; log?: (line: string) => void },
): Promise<{ names: string[]; anyFailed: boolean }>;
