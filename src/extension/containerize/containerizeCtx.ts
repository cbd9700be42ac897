import type { Ctx } from '../ctx';
import type { ModelsApi } from '../models/api';
import type { PlanProvider } from './planProvider';

/** What Containerize receives: the shared services, the Models capability's interface and its plan documents. */
export interface ContainerizeCtx extends Ctx {
  models: ModelsApi;
  plans: PlanProvider;
}

/** The workspaceState key of the last containerize answers. */
export const ANSWERS_KEY = 'modelship.containerize.lastAnswers';
