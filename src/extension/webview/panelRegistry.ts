/**
 * The Deployment panels open now, so that opening a panel for a target that already has one
 * reveals it instead of opening a second, and so that tests can reach them (`openPanels`). Kept in
 * `sharedState`, because the panels may be opened by one bundle and restored by another.
 */
import type { LogsPanelHandle, StatusPanelHandle } from './panelTypes';
import type { PanelTarget } from './protocol';
import { sharedState } from './sharedState';

/** A logs panel as the registry keeps it: what `openLogsPanel` needs to reuse one from either bundle. */
export interface LogsPanelEntry extends LogsPanelHandle {
  /** Switches to the previous (or the running) containers' logs. */
  showPrevious(previous: boolean): void;
}

/** What a registered panel needs: the handle and the target it shows. */
interface Registered<H> {
  handle: H;
  target: PanelTarget;
}

function sameTarget(a: PanelTarget, b: PanelTarget): boolean {
  return a.projectDir === b.projectDir && a.environment === b.environment && a.deployment === b.deployment;
}

function registry<H>(list: Registered<H>[]) {
  return {
    add(handle: H, target: PanelTarget): void {
      list.push({ handle, target });
    },
    remove(handle: H): void {
      const at = list.findIndex((r) => r.handle === handle);
      if (at >= 0) list.splice(at, 1);
    },
    find(target: PanelTarget): H | undefined {
      return list.find((r) => sameTarget(r.target, target))?.handle;
    },
    all(): H[] {
      return list.map((r) => r.handle);
    },
  };
}

const lists = sharedState('panels', () => ({ status: [] as Registered<StatusPanelHandle>[], logs: [] as Registered<LogsPanelEntry>[] }));

export const statusPanels = registry(lists.status);
export const logsPanels = registry(lists.logs);

/** For tests: the panels open now. */
export function openPanels(): { status: StatusPanelHandle[]; logs: LogsPanelHandle[] } {
  return { status: statusPanels.all(), logs: logsPanels.all() };
}
