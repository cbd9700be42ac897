/**
 * Parses TOML for pyproject.toml and Pipfile with smol-toml (small, pure, bundled). A syntax
 * error becomes one Problem on the line smol-toml reports, never a throw.
 */
import { loadToml } from '../../lazyLibraries';
import type { Problem } from '../types';
import { syntaxProblem } from './requirement';

/** Parses TOML, turning a syntax error into a Problem on the line smol-toml reports. */
export function parseTomlDocument(text: string, path: string): { doc: Record<string, unknown> } | { problem: Problem } {
  try {
    return { doc: loadToml().parse(text) };
  } catch (error) {
    if (error instanceof loadToml().TomlError) {
      const detail = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '');
      return { problem: syntaxProblem(path, error.line, `${detail} (line ${error.line}, column ${error.column})`) };
    }
    return { problem: syntaxProblem(path, undefined, error instanceof Error ? error.message : String(error)) };
  }
}

/** A TOML table (smol-toml gives plain objects for tables and arrays for arrays). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
