import type { Generator } from '../generator';

/** Placeholder until this target's generator lands (issue 3). */
export const generate: Generator = () => [];
