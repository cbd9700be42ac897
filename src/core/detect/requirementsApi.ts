/**
 * The contract between the project walker and the dependency-file readers.
 * Implemented in `requirements/`; the walker hands over the paths it found by name.
 */
import type { Problem, PythonInfo, RequirementsInfo } from './types';

/** Dependency and Python-version files found while walking, project-relative. */
export interface DependencyFiles {
  /** `requirements*.txt`, `requirements/*.txt`, `constraints*.txt`. */
  requirements: string[];
  pyproject: string[];
  pipfile: string[];
  /** `environment.yml` / `environment.yaml` / `conda.yaml`. */
  conda: string[];
  /** `.python-version`. */
  pythonVersion: string[];
  /** `runtime.txt`. */
  runtime: string[];
}

export interface DependencyResult {
  requirements: RequirementsInfo;
  python: PythonInfo;
  /** Unparseable lines (with their line numbers), unreadable files, unpinned requirements. */
  problems: Problem[];
}
