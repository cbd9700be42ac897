// Writes docs/rules.md from the rules' documentation entries.
import { writeFileSync } from 'node:fs';
import { ruleDocsMarkdown } from '../src/core/lint/ruleDocsMarkdown';

writeFileSync('docs/rules.md', ruleDocsMarkdown());
