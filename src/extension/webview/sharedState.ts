/**
 * State that must be one per extension host, not one per bundle. This folder is bundled twice:
 * into dist/extension.js (the serializers, `openPanels` for tests) and into the lazily loaded
 * bundle of the capability that opens panels. Module-level variables would then exist twice, and
 * a panel restored by one copy would be invisible to the other (opened twice, missing from
 * `openPanels`). Both copies run in the same JavaScript realm, so they meet on a global symbol.
 */

/** Looks up (creating on first use) the one value stored under `modelship.webview.<name>`. */
export function sharedState<T extends object>(name: string, create: () => T): T {
  const key = Symbol.for(`modelship.webview.${name}`);
  const slots = globalThis as unknown as Record<symbol, T | undefined>;
  return (slots[key] ??= create());
}
