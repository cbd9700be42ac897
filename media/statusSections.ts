/**
 * The status panel's sections, each built from its part of the StatusModel as DOM nodes (text
 * through textContent only): the failure and its fix, the summary, conditions, revisions, pods
 * with their containers, and events. Each section has a heading, so it can be reached by heading
 * navigation; buttons carry a data-key so a re-render gives focus back.
 */
import type { StatusContainer, StatusFailure, StatusModel, StatusPod } from '../src/extension/webview/protocol';
import { button, el, table } from './dom';

export interface SectionActions {
  showLogs(previous: boolean): void;
  /** Present when the caller can roll back. */
  rollback?(revision: number): void;
}

function section(id: string, title: string, children: (Node | string)[]): HTMLElement {
  return el('section', { class: id, attrs: { 'aria-labelledby': `${id}-heading` } }, [el('h2', { text: title, attrs: { id: `${id}-heading` } }), ...children]);
}

function facts(pairs: [string, string | undefined][]): HTMLElement {
  return el('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== undefined && v !== '').flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
}

export function failureSection(failure: StatusFailure, actions: SectionActions): HTMLElement {
  const items = failure.reasons.map((r, i) => {
    const where = r.container ? `${r.pod}/${r.container}` : r.pod;
    return el('li', {}, [
      el('p', { class: 'where', text: where }),
      el('p', { class: 'message', text: r.message }),
      el('p', { class: 'fix' }, [el('strong', { text: 'Fix: ' }), r.fix]),
      r.detail?.length ? el('pre', { class: 'detail', text: r.detail.join('\n') }) : undefined,
      r.previousLogs ? button('Show previous logs', () => actions.showLogs(true), { key: `failure-prev-${i}`, class: 'secondary' }) : undefined,
    ]);
  });
  const title = failure.severity === 'error' ? 'Rollout failed' : 'Not ready yet';
  return el('section', { class: `failure ${failure.severity}`, attrs: { 'aria-labelledby': 'failure-heading' } }, [
    el('h2', { text: title, attrs: { id: 'failure-heading' } }),
    el('p', { class: 'summary', text: failure.summary }),
    el('ul', { class: 'reasons' }, items),
  ]);
}

export function summarySection(model: StatusModel): HTMLElement {
  const h = model.header;
  return section('summary', 'Summary', [
    facts([
      ['State', h.state === 'ready' ? 'Ready' : h.state === 'failed' ? 'Failed' : 'Progressing'],
      ['Ready', `${h.ready}/${h.desired}`],
      ['Up to date', String(h.updated)],
      ['Available', String(h.available)],
      ['Revision', h.revision === undefined ? undefined : String(h.revision)],
      ['Image', h.image],
      ['Digest', h.digest],
      ['Context', h.context],
      ['Namespace', h.namespace],
    ]),
    // A failure already says it at the top.
    model.failure ? undefined : el('p', { class: 'line', text: h.summary }),
  ].filter((n): n is HTMLElement => n !== undefined));
}

export function conditionsSection(model: StatusModel): HTMLElement {
  const rows = model.conditions.map((c) => [c.type, c.status, c.reason, c.message, c.age]);
  return section('conditions', 'Conditions', [rows.length ? table('Conditions', ['Type', 'Status', 'Reason', 'Message', 'Age'], rows) : el('p', { text: 'No conditions reported yet.' })]);
}

export function revisionsSection(model: StatusModel, actions: SectionActions): HTMLElement {
  const rollback = actions.rollback;
  const rows = model.revisions.map((r) => [
    `${r.revision}${r.current ? ' (current)' : ''}`,
    r.image ?? '',
    r.age ?? '',
    rollback && !r.current ? button('Roll back', () => rollback(r.revision), { key: `rollback-${r.revision}`, class: 'secondary', title: `Roll back to revision ${r.revision}` }) : '',
  ]);
  const headers = ['Revision', 'Image', 'Age', ...(rollback ? ['Action'] : [])];
  return section('revisions', 'Revisions', [rows.length ? table('Revisions', headers, rollback ? rows : rows.map((r) => r.slice(0, 3))) : el('p', { text: 'No revisions recorded.' })]);
}

function stateText(c: StatusContainer): string {
  const reason = c.stateReason ? ` (${c.stateReason})` : '';
  return `${c.state}${reason}${c.stateMessage ? `: ${c.stateMessage}` : ''}`;
}

function lastStateText(c: StatusContainer): string {
  const l = c.lastState;
  if (!l) return '';
  const code = l.exitCode === undefined ? '' : `, exit code ${l.exitCode}`;
  return `${l.reason}${code}${l.ago ? `, ${l.ago} ago` : ''}${l.message ? `: ${l.message}` : ''}`;
}

function resourcesText(c: StatusContainer): string {
  const list = (r: Record<string, string>) => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  return `requests: ${list(c.resources.requests)}; limits: ${list(c.resources.limits)}`;
}

function probesText(c: StatusContainer): string {
  const p = c.probes;
  return [p.startup && `startup: ${p.startup}`, p.readiness && `readiness: ${p.readiness}`, p.liveness && `liveness: ${p.liveness}`].filter(Boolean).join('\n') || 'none';
}

function containerBlock(pod: StatusPod, c: StatusContainer, actions: SectionActions): HTMLElement {
  const crashed = c.restarts > 0 || (c.lastState !== undefined && c.lastState.exitCode !== 0);
  const state = c.ready ? 'ready' : c.state === 'running' ? 'running' : 'problem';
  return el('div', { class: `container ${state}` }, [
    el('h4', { text: `${c.name}${c.init ? ' (init)' : ''}` }),
    facts([
      ['State', stateText(c)],
      ['Ready', c.ready ? 'yes' : 'no'],
      ['Last state', lastStateText(c)],
      ['Restarts', String(c.restarts)],
      ['Image', c.image],
      ['Probes', probesText(c)],
      ['Resources', resourcesText(c)],
    ]),
    crashed ? button('Show previous logs', () => actions.showLogs(true), { key: `prev-${pod.name}/${c.name}`, class: 'secondary', title: `The logs of ${c.name}'s previous run (kubectl logs --previous)` }) : undefined,
  ]);
}

export function podsSection(model: StatusModel, actions: SectionActions): HTMLElement {
  const pods = model.pods.map((p) =>
    el('article', { class: 'pod', attrs: { 'aria-label': `Pod ${p.name}` } }, [
      el('h3', { text: p.name }),
      facts([['Status', p.status], ['Ready', p.ready], ['Restarts', String(p.restarts)], ['Node', p.node], ['Age', p.age]]),
      ...p.containers.map((c) => containerBlock(p, c, actions)),
    ]),
  );
  return section('pods', `Pods (${model.pods.length})`, pods.length ? pods : [el('p', { text: 'No pods match the Deployment yet.' })]);
}

export function eventsSection(model: StatusModel): HTMLElement {
  const rows = model.events.map((e) => [e.type, e.reason, e.object, e.message, e.count > 1 ? `${e.count}×` : '1', e.age]);
  return section('events', 'Events (newest last)', [rows.length ? table('Events', ['Type', 'Reason', 'Object', 'Message', 'Count', 'Age'], rows) : el('p', { text: 'No recent events.' })]);
}
