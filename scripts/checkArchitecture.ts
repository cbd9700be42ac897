// The dependency half of `npm run lint`: cruises src/ and media/ with .dependency-cruiser.cjs and
// checks the header of each capability folder's index.ts. Prints every violation with the rule's
// advice and exits 1 when there is any.
//
// Header rule: the leading doc comment of src/extension/<cap>/index.ts has one line
// `Uses: <sibling>/api (why)` for each sibling capability whose api.ts the folder imports, and none
// for a sibling it doesn't import. test/unit/architecture/ shows each rule firing on a fixture.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ICruiseOptions, ICruiseResult, IViolation } from 'dependency-cruiser';

const ROOT = join(__dirname, '..');

/** Where a capability folder lives, relative to the root cruised from. */
const EXTENSION = 'src/extension';

/** src/extension/common/ holds helpers shared by every capability; it is no capability itself. */
const NOT_CAPABILITIES = new Set(['common']);

/** One capability folder as the header rule sees it. */
export interface CapabilityFolder {
  /** The folder's name under src/extension, e.g. `containerize`. */
  name: string;
  /** The text of its index.ts; undefined when it has none. */
  indexText: string | undefined;
  /** The sibling capabilities whose api.ts some file of the folder imports, e.g. `models`. */
  importedApis: string[];
}

/** The `Uses: <sibling>/api (why)` lines of the leading doc comment: sibling → whether a reason follows. */
function declaredUses(indexText: string): Map<string, boolean> {
  const uses = new Map<string, boolean>();
  const header = /^(?:#![^\n]*\n)?\s*\/\*\*([\s\S]*?)\*\//.exec(indexText)?.[1];
  for (const match of (header ?? '').matchAll(/^\s*\*?\s*Uses:\s*([\w-]+)\/api\b(.*)$/gm)) {
    uses.set(match[1]!, /^\s*\(.*\S.*\)/.test(match[2]!));
  }
  return uses;
}

/** What is wrong with the headers of the given capability folders; empty when nothing is. */
export function capabilityHeaderProblems(folders: CapabilityFolder[]): string[] {
  const problems: string[] = [];
  for (const folder of [...folders].sort((a, b) => a.name.localeCompare(b.name))) {
    const index = `${EXTENSION}/${folder.name}/index.ts`;
    const imported = [...new Set(folder.importedApis)].sort();
    if (folder.indexText === undefined) {
      problems.push(`${index} is missing: each capability folder has one, whose leading doc comment names the sibling apis the folder uses${imported.length ? ` (here ${imported.map((a) => `${a}/api`).join(', ')})` : ''}.`);
      continue;
    }
    const declared = declaredUses(folder.indexText);
    for (const api of imported) {
      if (!declared.has(api)) problems.push(`${index}: the folder imports ${api}/api but the leading doc comment does not say so; add a line \`Uses: ${api}/api (why)\`.`);
      else if (!declared.get(api)) problems.push(`${index}: \`Uses: ${api}/api\` gives no reason; end the line with \`(why)\`.`);
    }
    for (const api of [...declared.keys()].sort()) {
      if (!imported.includes(api)) problems.push(`${index}: the leading doc comment names ${api}/api but no file of the folder imports it; remove that \`Uses:\` line.`);
    }
  }
  return problems;
}

/** The capability folders of a cruise, with the sibling apis each imports; `readText` returns undefined for a missing file. */
export function capabilityFolders(result: ICruiseResult, readText: (path: string) => string | undefined): CapabilityFolder[] {
  const inFolder = new RegExp(`^${EXTENSION}/([^/]+)/`);
  const apiOf = new RegExp(`^${EXTENSION}/([^/]+)/api\\.ts$`);
  const apis = new Map<string, Set<string>>();
  for (const module of result.modules) {
    const name = inFolder.exec(module.source)?.[1];
    if (!name || NOT_CAPABILITIES.has(name)) continue;
    const imported = apis.get(name) ?? new Set<string>();
    apis.set(name, imported);
    for (const dependency of module.dependencies) {
      const api = apiOf.exec(dependency.resolved)?.[1];
      if (api && api !== name && !NOT_CAPABILITIES.has(api)) imported.add(api);
    }
  }
  return [...apis].map(([name, imported]) => ({ name, indexText: readText(`${EXTENSION}/${name}/index.ts`), importedApis: [...imported] }));
}

/** The cruise options of .dependency-cruiser.cjs, as `depcruise --config` would use them. */
export function projectCruiseOptions(): ICruiseOptions {
  const config = require(join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: unknown; options: ICruiseOptions };
  return { ...config.options, ruleSet: { forbidden: config.forbidden } as ICruiseOptions['ruleSet'], validate: true };
}

export interface ArchitectureReport {
  /** Every dependency-cruiser violation, in its JSON form. */
  violations: IViolation[];
  /** The header rule's problems. */
  headerProblems: string[];
  /** The number of modules cruised. */
  modules: number;
}

/**
 * Cruises `paths` (those that exist) under `baseDir` with the project's rules and checks the
 * capability headers. `cache` keeps the cruise in node_modules/.cache/dependency-cruiser, reused
 * while no file's content changed.
 */
export async function checkArchitecture(baseDir: string, paths = ['src', 'media'], cache = false): Promise<ArchitectureReport> {
  const { cruise } = await import('dependency-cruiser');
  const present = paths.filter((p) => existsSync(join(baseDir, p)));
  const options: ICruiseOptions = { ...projectCruiseOptions(), baseDir, outputType: 'json' };
  if (cache) options.cache = { folder: join(baseDir, 'node_modules/.cache/dependency-cruiser'), strategy: 'content' };
  const cruised = await cruise(present, options);
  const result = (typeof cruised.output === 'string' ? JSON.parse(cruised.output) : cruised.output) as ICruiseResult;
  const readText = (path: string) => {
    const file = join(baseDir, path);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  };
  return {
    violations: result.summary.violations,
    headerProblems: capabilityHeaderProblems(capabilityFolders(result, readText)),
    modules: result.summary.totalCruised,
  };
}

/** A violation as `depcruise --output-type err-long` prints it: the rule, the path, the rule's advice. */
export function formatViolation(violation: IViolation, comments: ReadonlyMap<string, string>): string {
  // A cycle step reached through `import type` says so: those are the easy ones to miss.
  const step = ({ name, dependencyTypes }: { name: string; dependencyTypes: string[] }) => (dependencyTypes.includes('type-only') ? `${name} (import type)` : name);
  const path = violation.cycle ? [violation.from, ...violation.cycle.map(step)] : [violation.from, violation.to];
  const advice = comments.get(violation.rule.name) ?? '';
  const wrapped = advice.replace(/(.{1,92})(?:\s+|$)/g, '      $1\n');
  return `  ${violation.rule.severity} ${violation.rule.name}: ${path.join(' →\n      ')}\n${wrapped}`;
}

function ruleComments(): Map<string, string> {
  const rules = (projectCruiseOptions().ruleSet?.forbidden ?? []) as { name?: string; comment?: string }[];
  return new Map(rules.map((rule) => [rule.name ?? '', rule.comment ?? '']));
}

async function main(): Promise<void> {
  const started = Date.now();
  // Another checkout's root may be given (`npm run lint:deps -- ../other`); this one by default.
  const report = await checkArchitecture(process.argv[2] ?? ROOT, ['src', 'media'], true);
  const comments = ruleComments();
  for (const violation of report.violations) process.stdout.write(`${formatViolation(violation, comments)}\n`);
  for (const problem of report.headerProblems) process.stdout.write(`  error capability-header: ${problem}\n`);
  const count = report.violations.length + report.headerProblems.length;
  const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (count > 0) {
    process.stdout.write(`\n✘ ${count} architecture problem(s) in ${report.modules} modules (${took}). The rules are in .dependency-cruiser.cjs and scripts/checkArchitecture.ts.\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`✔ architecture: no dependency violations, capability headers agree (${report.modules} modules, ${took}).\n`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  });
}
