/**
 * The status panel's page: the Deployment's header and buttons, then (when failing) the reason
 * and its fix at the top, then summary, conditions, revisions, pods and events. Live: each model
 * from the host replaces the sections, giving focus back to the button that had it. Saves its
 * target with setState so the serializer can restore the panel after a reload.
 */
import type { PanelTarget, StatusHostMessage, StatusModel, StatusState } from '../src/extension/webview/protocol';
import { button, el, errorBanner, keepFocus, roving } from './dom';
import { isStatusHostMessage } from './hostMessages';
import { conditionsSection, eventsSection, failureSection, podsSection, revisionsSection, summarySection, type SectionActions } from './statusSections';
import { post, savedState, saveState } from './vscodeApi';

const restored = savedState() as Partial<StatusState> | undefined;
let target: PanelTarget | undefined = restored?.target;
let canRollback = false;
let model: StatusModel | undefined;

const app = document.getElementById('app')!;
const title = el('h1', { text: target?.deployment ?? 'Deployment' });
const subtitle = el('p', { class: 'subtitle' });
const toolbar = el('div', { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Deployment actions' } }, [
  button('Show Logs', () => post({ type: 'showLogs', previous: false }), { key: 'logs' }),
  button('Show previous logs', () => post({ type: 'showLogs', previous: true }), { key: 'logs-previous', class: 'secondary', title: "The logs of each container's previous run (kubectl logs --previous)" }),
]);
roving(toolbar);
const errorBox = errorBanner(() => post({ type: 'retry' }));
/** Announces the state when it changes, not on every model (a live region re-read each second would be noise). */
const announcer = el('p', { class: 'visually-hidden', attrs: { role: 'status' } });
const body = el('div', { class: 'sections' }, [el('p', { class: 'loading', text: 'Reading the Deployment from the cluster…' })]);

const actions: SectionActions = {
  showLogs: (previous) => post({ type: 'showLogs', previous }),
};

function header(): void {
  title.textContent = target?.deployment ?? 'Deployment';
  subtitle.textContent = target ? `Environment ${target.environment}${model ? ` · context ${model.header.context} · namespace ${model.header.namespace}` : ''}` : '';
}

function render(next: StatusModel): void {
  const before = model?.failure?.summary ?? model?.header.summary;
  model = next;
  header();
  keepFocus(() => {
    body.replaceChildren(
      ...(next.failure ? [failureSection(next.failure, actions)] : []),
      summarySection(next),
      conditionsSection(next),
      revisionsSection(next, canRollback ? { ...actions, rollback: (revision) => post({ type: 'rollback', revision }) } : actions),
      podsSection(next, actions),
      eventsSection(next),
    );
  });
  const now = next.failure?.summary ?? next.header.summary;
  if (now !== before) announcer.textContent = now;
}

function onMessage(message: StatusHostMessage): void {
  switch (message.type) {
    case 'statusHello':
      target = message.target;
      canRollback = message.canRollback;
      saveState({ target } satisfies StatusState);
      header();
      return;
    case 'model':
      errorBox.hide();
      render(message.model);
      return;
    case 'feedError':
      errorBox.show(message.message);
      return;
  }
}

app.append(el('header', { class: 'top' }, [title, subtitle, toolbar]), errorBox.element, announcer, body);
app.removeAttribute('aria-busy');
header();
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isStatusHostMessage(event.data)) onMessage(event.data);
  else post({ type: 'clientError', message: `status panel: dropped an unexpected message ${JSON.stringify(event.data)?.slice(0, 200)}` });
});
post({ type: 'ready' });
