/**
 * What the user should know about a model before it is packaged into an image, asked about once
 * before the containerize questions. The seam for the unsafe-pickle check (a later issue: scan
 * the pickle's opcodes for dangerous globals, STYLE pattern 17); today nothing is checked here.
 */
import type { DetectedModel, ProjectDescription } from '../core/detect/types';

/** One reason to think twice before shipping a model. */
export interface PackagingWarning {
  /** Stable id, e.g. `MS-PKL001`. */
  code: string;
  /** One line, shown in the confirmation dialog and the log. */
  message: string;
}

/** Warnings for `model`, most serious first; empty when there is nothing to say. */
export function packagingWarnings(_desc: ProjectDescription, _model: DetectedModel): PackagingWarning[] {
  return [];
}
