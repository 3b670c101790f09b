// Which share sheet is open (export or import), so the window's shortcuts and buttons open them.
class ShareSheets {
  open = $state<'export' | 'import' | null>(null);
}

export const share = new ShareSheets();
