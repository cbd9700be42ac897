/** docs/rules.md, generated from the rules' own documentation entries (scripts/genRuleDocs.ts). */
import { ALL_RULES } from './rules';

const CATEGORY_TITLE: Record<string, string> = { dockerfile: 'Dockerfiles', kubernetes: 'Kubernetes manifests', model: 'Model files', project: 'Across files' };

export function ruleDocsMarkdown(): string {
  const lines = [
    '# Modelship lint rules',
    '',
    'Generated from the rules themselves (`npm run docs:rules`); do not edit by hand.',
    'Silence a rule on one line with `# modelship-ignore MS-XXX` on that line or the line above, in a whole file with',
    '`# modelship-ignore-file MS-XXX`, or everywhere with the `modelship.lint.rules` setting (`{"MS-XXX": "off"}`) or',
    '`modelship lint --disable MS-XXX`.',
    '',
  ];
  for (const category of ['dockerfile', 'kubernetes', 'model', 'project']) {
    const rules = ALL_RULES.filter((r) => r.category === category);
    if (rules.length === 0) continue;
    lines.push(`## ${CATEGORY_TITLE[category]}`, '', '| id | name | default | fix | checks |', '|---|---|---|---|---|');
    for (const r of rules) lines.push(`| [${r.id}](#${r.id.toLowerCase()}) | ${r.name} | ${r.defaultSeverity} | ${r.fixable ? 'yes' : ''} | ${r.summary.replace(/\|/g, '\\|')} |`);
    lines.push('');
    for (const r of rules) lines.push(`### ${r.id}`, '', `**${r.name}** (${r.defaultSeverity}${r.fixable ? ', quick fix' : ''}). ${r.summary}`, '', r.description, '');
  }
  return lines.join('\n');
}
