// `npm run deps:graph`: draws the module graph of src/ (and media/) one box per folder, as
// docs/module-graph.svg, with graphviz's `dot`. src/extension is drawn per capability folder (plus
// its shell top and shell bottom files), src/core per subfolder. An edge is labelled with the number
// of imports it stands for; dashed when all of them are `import type`; red when one breaks a rule of
// .dependency-cruiser.cjs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the graph goes; another path can be given as the one argument, its extension picks the format (`/tmp/g.png`). */
const OUT = process.argv[2] ?? join(ROOT, 'docs/module-graph.svg');

const SHELL_TOP = new Set(['extension.ts', 'commands.ts']);
const SHELL_BOTTOM = new Set(['ctx.ts', 'config.ts', 'log.ts', 'prompter.ts']);

/** The box a module is drawn in: `{ id, cluster, label }`. */
export function boxOf(source) {
  const parts = source.split('/');
  if (parts[0] === 'media') return { id: 'media', cluster: '', label: 'media/' };
  if (parts[1] === 'extension') {
    if (parts.length > 3) return { id: `src/extension/${parts[2]}`, cluster: 'src/extension', label: `${parts[2]}/` };
    if (SHELL_TOP.has(parts[2])) return { id: 'src/extension:top', cluster: 'src/extension', label: 'shell top\nextension.ts commands.ts' };
    if (SHELL_BOTTOM.has(parts[2])) return { id: 'src/extension:bottom', cluster: 'src/extension', label: 'shell bottom\nctx.ts config.ts log.ts prompter.ts' };
    return { id: source, cluster: 'src/extension', label: parts[2] };
  }
  if (parts[1] === 'core') {
    if (parts.length > 3) return { id: `src/core/${parts[2]}`, cluster: 'src/core', label: `${parts[2]}/` };
    return { id: 'src/core:root', cluster: 'src/core', label: 'core/*.ts' };
  }
  return { id: `src/${parts[1]}`, cluster: 'src', label: `${parts[1]}/` };
}

/** The edge target that stands for the whole src/core cluster. */
const CORE = 'src/core/';

const quote = (s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** The dot text of a cruise result's modules and violations. */
export function moduleGraphDot(result) {
  const boxes = new Map();
  const edges = new Map();
  const bad = new Set(result.summary.violations.map((v) => `${v.from}\0${v.to}`));
  for (const module of result.modules) {
    if (!/^(src|media)\//.test(module.source)) continue;
    const from = boxOf(module.source);
    const box = boxes.get(from.id) ?? { ...from, files: 0 };
    box.files += 1;
    boxes.set(from.id, box);
    for (const dependency of module.dependencies) {
      if (!/^(src|media)\//.test(dependency.resolved)) continue;
      const to = boxOf(dependency.resolved);
      if (to.id === from.id) continue;
      // From outside src/core, one edge to the core as a whole: which subfolder is the core's business.
      const intoCore = to.cluster === 'src/core' && from.cluster !== 'src/core';
      const key = `${from.id}\0${intoCore ? CORE : to.id}`;
      const edge = edges.get(key) ?? { count: 0, typeOnly: true, broken: false };
      edge.count += 1;
      edge.typeOnly &&= dependency.dependencyTypes.includes('type-only');
      edge.broken ||= bad.has(`${module.source}\0${dependency.resolved}`) || dependency.circular === true;
      edges.set(key, edge);
    }
  }
  const lines = [
    'digraph modules {',
    '  graph [rankdir=TB newrank=true compound=true fontname="Helvetica" fontsize=11 nodesep=0.35 ranksep=0.6 labeljust=l];',
    `  label=${quote('Each box is a folder (grey: files directly in it). A number counts the imports an arrow stands for.\nDashed: all of them `import type`; red: one breaks a rule of .dependency-cruiser.cjs. Arrows into src/core end at its border.')} labelloc=b fontsize=9;`,
    '  node [shape=box style="rounded,filled" fillcolor="#ffffcc" fontname="Helvetica" fontsize=10];',
    '  edge [color="#00000066" arrowsize=0.6 fontname="Helvetica" fontsize=8 fontcolor="#555555"];',
  ];
  const fill = { 'src/extension': '#eef4ff', 'src/core': '#effaef', src: '#ffffff', '': '#ffffff' };
  const byCluster = new Map();
  for (const box of boxes.values()) byCluster.set(box.cluster, [...(byCluster.get(box.cluster) ?? []), box]);
  for (const [cluster, members] of [...byCluster].sort(([a], [b]) => a.localeCompare(b))) {
    const nodes = members
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((b) => `    ${quote(b.id)} [label=${quote(`${b.label}\n${b.files} file${b.files === 1 ? '' : 's'}`)}${b.id.includes(':') ? ' fillcolor="#e8e8e8"' : ''}];`);
    if (cluster === '' || cluster === 'src') lines.push(...nodes);
    else lines.push(`  subgraph ${quote(`cluster_${cluster}`)} {`, `    label=${quote(`${cluster}/`)} labelloc=t style="rounded,filled" fillcolor="${fill[cluster]}" color="#999999";`, ...nodes, '  }');
  }
  const coreAnchor = [...boxes.keys()].filter((id) => id.startsWith('src/core')).sort()[0] ?? CORE;
  // Layers, top down: the two shells that start things, the adapters, then the core.
  const rank = (ids) => ids.filter((id) => boxes.has(id)).map(quote).join('; ');
  lines.push(`  { rank=min; ${rank(['src/extension:top', 'src/cli', 'media'])} }`);
  lines.push(`  { rank=same; ${rank(['src/docker', 'src/kube', 'src/platform'])} }`);
  for (const [key, edge] of [...edges].sort(([a], [b]) => a.localeCompare(b))) {
    const [from, target] = key.split('\0');
    const to = target === CORE ? coreAnchor : target;
    const attributes = [`label=${edge.count}`, `penwidth=${(0.6 + Math.log2(edge.count) * 0.45).toFixed(2)}`];
    if (target === CORE) attributes.push(`lhead=${quote('cluster_src/core')}`);
    if (edge.typeOnly) attributes.push('style=dashed');
    if (edge.broken) attributes.push('color="#d00000" fontcolor="#d00000"');
    lines.push(`  ${quote(from)} -> ${quote(to)} [${attributes.join(' ')}];`);
  }
  lines.push('}', '');
  return lines.join('\n');
}

async function main() {
  if (spawnSync('dot', ['-V'], { stdio: 'ignore' }).error) {
    process.stderr.write('deps:graph needs graphviz\'s `dot` on PATH: apt-get install graphviz\n');
    process.exit(1);
  }
  const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs'));
  const paths = ['src', 'media'].filter((p) => existsSync(join(ROOT, p)));
  const cruised = await cruise(paths, { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true, baseDir: ROOT, includeOnly: '^(src|media)/', outputType: 'json' });
  const result = typeof cruised.output === 'string' ? JSON.parse(cruised.output) : cruised.output;
  const dot = spawnSync('dot', [`-T${OUT.split('.').pop()}`], { input: moduleGraphDot(result), maxBuffer: 64 * 1024 * 1024 });
  if (dot.status !== 0) {
    process.stderr.write(dot.stderr.toString());
    process.exit(1);
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, dot.stdout);
  process.stdout.write(`Wrote ${relative(process.cwd(), OUT) || OUT} (${result.summary.totalCruised} modules).\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
