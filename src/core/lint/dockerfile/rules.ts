import type { RuleDoc } from '../types';

/** The dockerfile rules' documentation entries (filled in as the rules land, issue 4). */
export const RULES: RuleDoc[] = [];
