import type { Ctx } from '../ctx';
import type { DetectionService } from './detectionService';
import type { ModelSafetyService } from './modelSafety';
import type { ProjectStore } from './projectStore';

/** What the Models capability's commands receive: the shared services plus its own. */
export interface ModelsCtx extends Ctx {
  store: ProjectStore;
  detection: DetectionService;
  /** Scans pickle-family models; its verdicts feed the tree, Problems and Containerize. */
  safety: ModelSafetyService;
}
