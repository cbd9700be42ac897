/**
 * Parsers that most runs never need, required on first use instead of at start-up: the CLI starts
 * often, and evaluating them eagerly was a measurable share of `modelship detect` on a big tree.
 */
type Yaml = typeof import('yaml');
type Toml = typeof import('smol-toml');
type Picomatch = typeof import('picomatch');

let yaml: Yaml | undefined;
let toml: Toml | undefined;
let picomatch: Picomatch | undefined;

export const loadYaml = (): Yaml => (yaml ??= require('yaml') as Yaml);
export const loadToml = (): Toml => (toml ??= require('smol-toml') as Toml);
export const loadPicomatch = (): Picomatch => (picomatch ??= require('picomatch') as Picomatch);
