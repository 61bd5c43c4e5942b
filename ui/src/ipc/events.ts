// The app's events the page listens to (the only other door from Tauri besides `call()`): the
// backend asks the home screen to show a tab, e.g. when a usage notification is clicked.
import { listen } from '@tauri-apps/api/event';

/** Calls `show` with the tab id each time the backend emits `open-tab`; resolves to the unlisten. */
export async function onOpenTab(show: (tab: string) => void): Promise<() => void> {
  try {
    return await listen<string>('open-tab', (e) => {
      if (typeof e.payload === 'string') show(e.payload);
    });
  } catch {
    // No event bridge (a test page without Tauri): nothing will ever ask.
    return () => {};
  }
}
