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
      if (/excessively nested/.test(detail)) return { problem: syntaxProblem(path, error.line, `it is too deeply nested to read (line ${error.line})`) };
      return { problem: syntaxProblem(path, error.line, `${detail} (line ${error.line}, column ${error.column})`) };
    }
    if (error instanceof RangeError) return { problem: syntaxProblem(path, undefined, 'it is too deeply nested to read') };
    return { problem: syntaxProblem(path, undefined, error instanceof Error ? error.message : String(error)) };
  }
}

/** A TOML table (smol-toml gives plain objects for tables and arrays for arrays). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A TOML value as a short text for a message. Never throws: smol-toml gives tables without a
 * prototype (so `String(table)` throws) and may give bigints (which JSON.stringify refuses).
 */
export function describeTomlValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'a date' : value.toISOString();
  try {
    const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    return text === undefined ? typeof value : text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return Array.isArray(value) ? 'an array' : 'a table';
  }
}

/** The text a value of this type starts with in TOML source, for finding its line. */
export function tomlValueStart(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return '[';
  if (isRecord(value) && !(value instanceof Date)) return '{';
  return describeTomlValue(value);
}
