/** Names derived from the project: DNS-1123 labels usable for images, Kubernetes objects, Helm releases and compose services. */

/** Stems too generic to name a service after; the project folder's name is used instead. */
const GENERIC_STEMS = new Set(['model', 'models', 'weights', 'clf', 'classifier', 'regressor', 'estimator', 'pipeline', 'checkpoint', 'ckpt', 'best', 'last', 'final', 'saved_model', 'export', 'pytorch_model', 'tf_model', 'booster', 'xgb_model', 'lgbm_model', 'lgb_model', 'net', 'network']);

/** Lower-case letters, digits and dashes, starting with a letter, at most `max` characters (Helm wants 53). */
export function dnsLabel(text: string, max = 53): string {
  const cleaned = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const withLetter = /^[a-z]/.test(cleaned) ? cleaned : `m-${cleaned}`;
  return withLetter.slice(0, max).replace(/-+$/, '') || 'model';
}

/** The service name for a model at `modelPath` in a project whose root folder is `rootName`. */
export function serviceName(modelPath: string, rootName: string): string {
  const base = modelPath.split('/').pop() ?? modelPath;
  const stem = base.replace(/(\.[a-z0-9]+)+$/i, '').toLowerCase();
  const parent = modelPath.split('/').slice(-2, -1)[0];
  if (!GENERIC_STEMS.has(stem) && stem.length >= 2) return dnsLabel(stem);
  if (parent && !GENERIC_STEMS.has(parent.toLowerCase()) && !/^\d+$/.test(parent)) return dnsLabel(parent);
  return dnsLabel(rootName || stem);
}
