/**
 * MS-DF003: pip installs without keeping its cache in the layer.
 * MS-DF018: pip installs pinned versions, inline and from the requirements files it is given.
 */
import { posix } from 'node:path';
import type { Requirement } from '../../../detect/types';
import { exactVersion, knownVersions } from '../../../detect/requirements/pinning';
import { normalizeName } from '../../../detect/requirements/pep508';
import type { Analysis, PipAt, Rule } from '../analysis';
import { sourceFor } from '../buildContext';
import type { PipOption } from '../commands';
import type { Ins } from '../model';
import { DF } from '../rules';
import { shellOffsetAfter } from '../shell';

export const pipNoCacheDir: Rule = (a) => {
  for (const at of a.pipInstalls) {
    const { pip } = at;
    const flag = pip.tool === 'uv' ? '--no-cache' : '--no-cache-dir';
    if (pip.options.some((o) => o.name === flag || (pip.tool === 'uv' && o.name === '-n'))) continue;
    if (at.ins.flags.some((f) => f.name === 'mount' && /type=cache/.test(f.value ?? ''))) continue;
    const envName = pip.tool === 'uv' ? 'UV_NO_CACHE' : 'PIP_NO_CACHE_DIR';
    if (a.model.envBefore(at.ins, envName) || pip.inv.command.words.some((w) => w.text.startsWith(`${envName}=`) && w.text.length > envName.length + 1)) continue;
    const command = pip.inv.command;
    const range = a.wordRange(at.shell, command.words[0]!, pip.installWord);
    const edit = a.insertAt(shellOffsetAfter(at.shell, pip.installWord.end), ` ${flag}`);
    const what = a.model.slice(range);
    a.report(DF.pipCache, range, `${what} keeps every downloaded wheel in ~/.cache inside this layer (gigabytes for torch or tensorflow): add ${flag}, or use a BuildKit cache mount.`,
      { fixes: [a.fix(`Add ${flag}`, edit)] });
  }
};

export const unpinnedPackages: Rule = (a) => {
  const known = knownVersions(a.project?.requirements.packages ?? []);
  for (const at of a.pipInstalls) {
    const constrained = at.pip.options.some((o) => o.name === '-c' || o.name === '--constraint' || o.name === '--constraints');
    if (!constrained) inlineSpecs(a, at, known);
    for (const option of at.pip.options) {
      if (option.name === '-r' || option.name === '--requirement') requirementsOption(a, at, option);
    }
  }
};

function inlineSpecs(a: Analysis, at: PipAt, known: Map<string, string>): void {
  for (const spec of at.pip.specs) {
    if (exactVersion(spec.specifier)) continue;
    const range = a.wordRange(at.shell, spec.word);
    const version = known.get(normalizeName(spec.name));
    const pinned = `${spec.name}${spec.extras}==${version ?? '<version>'}`;
    const fixes = version ? [a.fix(`Pin ${pinned}`, { range, newText: spec.extras ? `"${pinned}"` : pinned })] : [];
    const constraint = spec.specifier ? `only constrains it (${spec.specifier})` : 'does not pin a version';
    const from = version ? `, the version the project's requirements pin` : '';
    a.report(DF.unpinned, range, `pip install ${spec.word.text} ${constraint}, so each build may get another release: pin it, e.g. ${pinned}${from}.`, { fixes });
  }
}

function requirementsOption(a: Analysis, at: PipAt, option: PipOption): void {
  const project = a.project;
  if (!project || !option.text) return;
  const path = requirementsPath(a, at.ins, option.text);
  if (!path || !project.requirements.files.some((f) => f.path === path)) return;
  const loose = project.requirements.packages.filter((p) => p.source === path && !p.pinned);
  if (loose.length === 0) return;
  const range = a.wordRange(at.shell, option.word, option.value ?? option.word);
  const names = loose.slice(0, 5).map(describe).join(', ') + (loose.length > 5 ? ` and ${loose.length - 5} more` : '');
  const installed = path === option.text ? path : `${path}, installed here as ${option.text},`;
  const one = loose.length === 1;
  a.report(DF.unpinned, range, `${installed} leaves ${loose.length} package${one ? '' : 's'} unpinned (${names}), so each build may resolve other versions: pin ${one ? 'it' : 'them'} with == (pip-compile or pip freeze write such a file).`);
}

function describe(r: Requirement): string {
  return r.url ? `${r.name} @ ${r.url}` : `${r.name}${r.specifier ? ` ${r.specifier}` : ' (no version)'}`;
}

/**
 * The project path of a file pip reads at container path `written` (relative to the WORKDIR),
 * found through the COPY that put it there; undefined when no COPY of the stage explains it.
 */
export function requirementsPath(a: Analysis, ins: Ins, written: string): string | undefined {
  const dir = a.model.workdirBefore(ins);
  if (dir === undefined || written.includes('$')) return undefined;
  const target = posix.resolve(dir, written);
  const stages = new Set(a.model.chain(a.model.stages[ins.stage]).map((s) => s.index));
  const steps = a.copySteps.filter((s) => stages.has(s.ins.stage) && s.ins.index < ins.index);
  for (const step of steps.reverse()) {
    const found = sourceFor(step, target, a.context);
    if (found) return a.context.toProject(found.path);
  }
  return undefined;
}
