/**
 * What every command handler receives: the long-lived services and the notes the test API reads.
 * Everything here is owned by `activate`'s subscriptions.
 */
import type { DetectionService } from './detectionService';
import type { ExtensionLog } from './log';
import type { ProjectStore } from './projectStore';

export interface Notices {
  /** The last report opened by `modelship.containerize`. */
  lastReport?: { uri: string; text: string };
  /** The last informational or warning message shown to the user. */
  lastNotice?: string;
}

export interface Ctx {
  log: ExtensionLog;
  store: ProjectStore;
  detection: DetectionService;
  notices: Notices;
}
