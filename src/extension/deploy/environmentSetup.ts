/**
 * The questions a cluster command asks before it sends anything: which context and namespace an
 * environment uses (asked once, on the first deploy or from Select Kubernetes Context, and written
 * to the project's deploy/environments.yaml with comments and other keys kept), and for prod the
 * typed context name. Part of the deploy bundle.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { setEnvironmentField } from '../../core/deploy/environments';
import { ModelshipError } from '../../core/errors';
import type { Environment } from '../../core/scaffold/k8s/environments';
import { loadKubeconfig } from '../../kube';
import { writeFileAtomic } from '../../platform/writeFileAtomic';
import type { ShipProject } from '../common/shipProjects';
import type { Ctx } from '../ctx';
import { targetsOf } from './deployTargets';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The kubeconfig's contexts, the current one first: what the context quick pick offers. */
export function listContexts(kubeconfig: string | undefined): { name: string; cluster: string; server: string; namespace?: string; current: boolean }[] {
  const loaded = loadKubeconfig({ ...(kubeconfig ? { kubeconfig } : {}) });
  const current = loaded.target.context;
  const clusters = new Map(loaded.config.clusters.map((c) => [c.name, c.server]));
  return loaded.config.contexts
    .map((c) => ({ name: c.name, cluster: c.cluster, server: clusters.get(c.cluster) ?? '?', ...(c.namespace ? { namespace: c.namespace } : {}), current: c.name === current }))
    .sort((a, b) => Number(b.current) - Number(a.current));
}

/**
 * Asks for `env`'s context and namespace and writes them to the environments file. Resolves the
 * chosen values, or throws CANCELLED when a question was dismissed (nothing is written then).
 */
export async function chooseContext(ctx: Ctx, project: ShipProject, env: Environment, reason: string): Promise<{ context: string; namespace: string }> {
  const kubeconfig = ctx.config.kubeconfig();
  const contexts = listContexts(kubeconfig);
  const targets = targetsOf(project, ctx.config);
  const now = targets.targets[env];
  const title = `Modelship: ${reason} (${project.target.name} → ${env})`;
  const context = await ctx.prompter().pickOne(
    contexts.map((c) => ({ label: c.name, description: `${c.current ? 'current · ' : ''}${c.cluster}`, detail: c.server, value: c.name })),
    { title, placeholder: `Which kube context is ${env}? (read from your kubeconfig; it is never changed)`, step: 1, totalSteps: 2, defaults: [now?.context ?? contexts[0]?.name ?? ''] },
  );
  if (!context) throw new ModelshipError('CANCELLED', 'Cancelled; nothing was written or sent.');
  const namespace = await ctx.prompter().input({
    title,
    prompt: `The namespace for ${env} on ${context} (created on the first deploy if it does not exist)`,
    value: now?.namespace ?? `${project.target.name}-${env}`,
    step: 2,
    totalSteps: 2,
    validate: (value) => (DNS_LABEL.test(value) ? undefined : 'A namespace is lowercase letters, digits and dashes, at most 63, starting and ending with a letter or digit.'),
  });
  if (!namespace) throw new ModelshipError('CANCELLED', 'Cancelled; nothing was written or sent.');
  rememberTarget(targets.environmentsFile, env, context, namespace);
  const note = `Saved ${env}: context ${context}, namespace ${namespace} in ${vscode.workspace.asRelativePath(targets.environmentsFile)}.`;
  ctx.log.info(note);
  ctx.notices.lastNotice = note;
  return { context, namespace };
}

/** Sets the two keys in the environments file (created when missing), keeping everything else as written. */
export function rememberTarget(file: string, env: Environment, context: string, namespace: string): void {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    text = '# Where `modelship deploy` and the editor deploy each environment. See the README.\n';
  }
  const next = setEnvironmentField(setEnvironmentField(text, env, 'context', context), env, 'namespace', namespace);
  writeFileAtomic(file, next);
}

/**
 * Prod is never touched by a stray click: the user types the context name. Throws CANCELLED
 * (nothing sent) when they don't.
 */
export async function confirmProd(ctx: Ctx, action: string, context: string, namespace: string): Promise<void> {
  const typed = await ctx.prompter().input({
    title: `Modelship: ${action} prod`,
    prompt: `You are about to ${action.toLowerCase()} prod (context ${context}, namespace ${namespace}). Type the context name to go ahead.`,
    placeholder: context,
    validate: (value) => (value === context ? undefined : `Type ${context} exactly, or press Escape to cancel.`),
  });
  if (typed !== context) throw new ModelshipError('CANCELLED', `Cancelled: nothing was sent to prod (context ${context}).`);
}
