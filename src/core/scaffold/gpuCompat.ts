/**
 * Which CUDA runtime base a GPU image needs, keyed by the pinned framework version.
 * (First version; the compatibility table lands in its own module.)
 */
import type { DetectedModel, ProjectDescription } from '../detect/types';

export interface GpuBase {
  baseImage: string;
  reason: string;
  torchIndexUrl?: string;
}

export function cpuTorchIndexUrl(): string {
  return 'https://download.pytorch.org/whl/cpu';
}

export function chooseGpuBase(_desc: ProjectDescription, _model: DetectedModel, override?: string): GpuBase {
  const baseImage = override ?? 'nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04';
  return { baseImage, reason: override ? 'chosen by the user' : 'default CUDA 12.1 line', torchIndexUrl: 'https://download.pytorch.org/whl/cu121' };
}
