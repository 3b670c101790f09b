// The native file dialogs (tauri-plugin-dialog), inside Tauri only: in a plain browser there
// is none, and callers show the path field alone.
import { inTauri } from './index';

export type FileFilter = { name: string; extensions: string[] };

/** Whether "Choose…" can open a native dialog here. */
export const canChooseFiles = inTauri;

/** Asks where to save; null when cancelled. */
export async function chooseSavePath(defaultPath: string, filters: FileFilter[]): Promise<string | null> {
  if (!inTauri) return null;
  const { save } = await import('@tauri-apps/plugin-dialog');
  return await save({ defaultPath, filters });
}

/** Asks for one file to open; null when cancelled. */
export async function chooseOpenPath(filters: FileFilter[]): Promise<string | null> {
  if (!inTauri) return null;
  const { open } = await import('@tauri-apps/plugin-dialog');
  const picked = await open({ multiple: false, directory: false, filters });
  return typeof picked === 'string' ? picked : null;
}
