/** Every rule's documentation entry, in id order: the source for docs/rules.md, SARIF and the settings. */
import type { RuleDoc } from './types';
import { RULES as dockerfile } from './dockerfile/rules';
import { RULES as kubernetes } from './kubernetes/rules';
import { RULES as model } from './model/rules';
import { RULES as project } from './project/rules';

export const ALL_RULES: readonly RuleDoc[] = [...dockerfile, ...kubernetes, ...model, ...project].sort((a, b) => a.id.localeCompare(b.id));

export function ruleDoc(id: string): RuleDoc | undefined {
  return ALL_RULES.find((r) => r.id === id);
}
