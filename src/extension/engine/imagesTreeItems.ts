/**
 * Renders Images & Containers nodes as TreeItems: an image per project (tag; built or not, size,
 * age) and its containers (state icon, `127.0.0.1:port`, GPU badge, status), with stable ids and
 * the contextValues the menus key on. Workspace text in tooltips is escaped.
 */
import * as vscode from 'vscode';
import { formatBytes } from '../../core/formatBytes';
import type { ImagesNode } from './imagesModel';
import { escapeMarkdown } from '../common/markdown';

export const IMAGES_CONTEXT_VALUES = {
  image: 'modelship.image',
  running: 'modelship.container.running',
  stopped: 'modelship.container.stopped',
} as const;

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago". */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(seconds) || seconds < 45) return 'just now';
  const [n, unit] = seconds < 3600 ? [Math.round(seconds / 60), 'minute'] : seconds < 86400 ? [Math.round(seconds / 3600), 'hour'] : [Math.round(seconds / 86400), 'day'];
  return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
}

/** `127.0.0.1:49153` of `http://127.0.0.1:49153`. */
export function hostPort(url: string | undefined): string | undefined {
  return url?.replace(/^https?:\/\//, '');
}

function imageItem(node: ImagesNode & { kind: 'image' }): vscode.TreeItem {
  const { project } = node;
  const { image, containers } = project;
  const item = new vscode.TreeItem(project.imageRef, containers.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
  item.id = `image:${project.dockerfile}`;
  item.contextValue = IMAGES_CONTEXT_VALUES.image;
  const where = project.relativeDir ? `${project.relativeDir} · ` : '';
  item.description = `${where}${image ? `${formatBytes(image.sizeBytes)} · ${ago(image.created)}` : 'not built'}${project.gpu ? ' · GPU' : ''}`;
  item.iconPath = image ? new vscode.ThemeIcon('package') : new vscode.ThemeIcon('package', new vscode.ThemeColor('disabledForeground'));
  item.tooltip = new vscode.MarkdownString([
    `**${escapeMarkdown(project.imageRef)}**`,
    image ? `Built ${escapeMarkdown(new Date(image.created).toLocaleString())}, ${formatBytes(image.sizeBytes)}, \`${image.id.replace(/^sha256:/, '').slice(0, 12)}\`` : 'Not built yet: **Build Image** builds it.',
    `From ${escapeMarkdown(project.dockerfile)}; serves on port ${project.port}${project.gpu ? ' (a CUDA image)' : ''}.`,
  ].join('\n\n'));
  item.command = { command: 'vscode.open', title: 'Open Dockerfile', arguments: [vscode.Uri.file(project.dockerfile)] };
  return item;
}

function containerItem(node: ImagesNode & { kind: 'container' }): vscode.TreeItem {
  const { container } = node;
  const running = container.state === 'running';
  const item = new vscode.TreeItem(container.name, vscode.TreeItemCollapsibleState.None);
  item.id = `container:${container.id}`;
  item.contextValue = running ? IMAGES_CONTEXT_VALUES.running : IMAGES_CONTEXT_VALUES.stopped;
  const address = running ? hostPort(container.url) : undefined;
  item.description = [address, container.gpu ? 'GPU' : undefined, container.status || container.state].filter(Boolean).join(' · ');
  item.iconPath = running ? new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('testing.iconPassed')) : new vscode.ThemeIcon('vm-outline', new vscode.ThemeColor('disabledForeground'));
  const tooltip = new vscode.MarkdownString([
    `**${escapeMarkdown(container.name)}** (\`${container.id.slice(0, 12)}\`): ${escapeMarkdown(container.status || container.state)}`,
    running && container.url ? `[${container.url}](${container.url}) · [API docs](${container.url}/docs)` : undefined,
    `Image ${escapeMarkdown(container.image)}${container.gpu ? ', with GPUs' : ''}`,
  ].filter(Boolean).join('\n\n'));
  tooltip.isTrusted = false;
  item.tooltip = tooltip;
  return item;
}

export function imagesTreeItem(node: ImagesNode): vscode.TreeItem {
  return node.kind === 'image' ? imageItem(node) : containerItem(node);
}
