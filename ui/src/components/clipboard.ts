// Copy text to the clipboard: async Clipboard API first, then the
// hidden-textarea + execCommand fallback (older WebKitGTK, no permission).
import { toastError, toastInfo } from './toasts.svelte';

function fallbackCopy(text: string): boolean {
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.position = 'fixed';
  ta.style.top = '-1000px';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  const prevFocus = document.activeElement as HTMLElement | null;
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  prevFocus?.focus?.();
  return ok;
}

export async function copyText(text: string, what = 'Copied'): Promise<boolean> {
  let ok = false;
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      ok = true;
    }
  } catch {
    ok = false;
  }
  if (!ok) ok = fallbackCopy(text);
  if (ok) toastInfo(what);
  else toastError('Could not copy to the clipboard');
  return ok;
}
