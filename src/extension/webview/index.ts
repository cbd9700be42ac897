/**
 * Webview: the Deployment status and logs panels, their serializers and the message protocol
 * with their browser code in media/. Uses no sibling capability; siblings use `api.ts`, which
 * documents the whole public surface.
 */
export * from './api';
