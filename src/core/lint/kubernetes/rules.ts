import type { RuleDoc } from '../types';

/** The kubernetes rules' documentation entries (filled in as the rules land, issue 4). */
export const RULES: RuleDoc[] = [];
