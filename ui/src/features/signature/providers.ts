// The provider catalog (built-in schemes and the data providers over them), loaded once: it
// is part of the binary, so it cannot change while the window is open. Also the pure helpers
// the signature views share: filtering the picker, naming a verdict's provider, the settings
// that configure an endpoint as a provider.
import type { ProviderInfo } from '../../bindings/ProviderInfo';
import type { SchemeId } from '../../bindings/SchemeId';
import { call } from '../../ipc';

let cached: Promise<ProviderInfo[]> | null = null;

export function loadProviders(): Promise<ProviderInfo[]> {
  cached ??= call('provider_catalog', {}).catch((e) => {
    cached = null;
    throw e;
  });
  return cached;
}

/** The option naming an endpoint's catalog provider (the engine's `PROVIDER_OPTION`). */
export const PROVIDER_OPTION = 'provider';

/** Entries whose name, id or signed content contains every word of `query` (case-insensitive). */
export function filterProviders(all: readonly ProviderInfo[], query: string): ProviderInfo[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...all];
  return all.filter((p) => {
    const hay = `${p.name} ${p.id} ${p.signs}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** The picker's value for saved settings: the provider's id, else the scheme's. */
export function choiceOf(scheme: SchemeId | null, options: Record<string, string>): string {
  return options[PROVIDER_OPTION] ?? scheme ?? '';
}

/** Settings that configure an endpoint as `p`: its engine and its preset options. */
export function presetOf(p: ProviderInfo): { scheme: SchemeId; options: Record<string, string> } {
  return { scheme: p.scheme, options: { ...p.options } };
}

/** Display name of a verdict or detection: its provider's, else its scheme's. */
export function displayName(
  providers: readonly ProviderInfo[],
  scheme: SchemeId,
  provider: string | null | undefined,
  schemeName: (s: SchemeId) => string,
): string {
  const p = provider ? providers.find((x) => x.id === provider) : undefined;
  return p?.name ?? schemeName(scheme);
}
