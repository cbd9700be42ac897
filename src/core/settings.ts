import { DEFAULT_LINT_SETTINGS, type LintSettings } from './lint/types';

/**
 * One settings type with defaults, and a tolerant normaliser. The extension passes
 * `getConfiguration('modelship')`, the CLI its flags; both get the same behaviour.
 */

/** Directory names never walked into: VCS, virtualenvs, caches, dependency and build output. */
export const DEFAULT_EXCLUDED_DIRECTORIES: readonly string[] = [
  '.git', '.hg', '.svn', 'node_modules', '.venv', 'venv', '.env', 'env', 'virtualenv', '.conda',
  '__pycache__', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.tox', '.nox', '.ipynb_checkpoints',
  '.cache', '.idea', '.vscode-test', 'site-packages', 'dist-packages', 'build', 'dist', '.eggs',
  '.terraform', '.dvc', 'wandb', 'mlruns', '.gradle', 'target',
];

export interface DetectSettings {
  /** Directory names (exact) or glob-like patterns (`data/raw`, `*.egg-info`) not walked into. */
  exclude: string[];
  /** Give up walking below this many directory levels. */
  maxDepth: number;
  /** Stop after this many files have been visited, reporting that the walk was cut short. */
  maxFiles: number;
  /** The Python version assumed when no file names one. */
  defaultPythonVersion: string;
}

export interface ModelshipSettings {
  detect: DetectSettings;
  lint: LintSettings;
}

export const DEFAULT_SETTINGS: ModelshipSettings = {
  detect: {
    exclude: [...DEFAULT_EXCLUDED_DIRECTORIES],
    maxDepth: 32,
    maxFiles: 500_000,
    defaultPythonVersion: '3.11',
  },
  lint: DEFAULT_LINT_SETTINGS,
};

const SEVERITIES = new Set(['error', 'warning', 'info', 'off']);

function normalizeLint(raw: unknown): LintSettings {
  const lint = isRecord(raw) ? raw : {};
  const rules: LintSettings['rules'] = {};
  if (isRecord(lint.rules)) {
    for (const [id, value] of Object.entries(lint.rules)) {
      const v = value === false ? 'off' : value;
      if (/^MS-[A-Z0-9]+$/i.test(id) && typeof v === 'string' && SEVERITIES.has(v)) rules[id.toUpperCase()] = v as LintSettings['rules'][string];
    }
  }
  // `disabled: ["MS-DF003"]` is the short form of rules: { "MS-DF003": "off" }.
  for (const id of stringArray(lint.disabled) ?? []) rules[id.toUpperCase()] = 'off';
  const version = typeof lint.kubernetesVersion === 'string' && /^1\.\d{1,2}$/.test(lint.kubernetesVersion) ? lint.kubernetesVersion : DEFAULT_LINT_SETTINGS.kubernetesVersion;
  return { rules, kubernetesVersion: version };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.length > 0) : undefined;
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * Turns any input (a VS Code configuration section, a parsed config file, nothing) into complete settings.
 * `detect.exclude` adds to the default excludes; `detect.useDefaultExcludes: false` replaces them.
 */
export function normalizeSettings(raw: unknown): ModelshipSettings {
  const root = isRecord(raw) ? raw : {};
  const detect = isRecord(root.detect) ? root.detect : {};
  const useDefaults = detect.useDefaultExcludes !== false;
  const extra = stringArray(detect.exclude) ?? [];
  const python = typeof detect.defaultPythonVersion === 'string' && /^3\.\d+$/.test(detect.defaultPythonVersion)
    ? detect.defaultPythonVersion
    : DEFAULT_SETTINGS.detect.defaultPythonVersion;
  return {
    detect: {
      exclude: [...new Set([...(useDefaults ? DEFAULT_EXCLUDED_DIRECTORIES : []), ...extra])],
      maxDepth: positiveInt(detect.maxDepth) ?? DEFAULT_SETTINGS.detect.maxDepth,
      maxFiles: positiveInt(detect.maxFiles) ?? DEFAULT_SETTINGS.detect.maxFiles,
      defaultPythonVersion: python,
    },
    lint: normalizeLint(root.lint),
  };
}
