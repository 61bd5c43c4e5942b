// The events the Rust side sends the window (only this folder imports @tauri-apps). Today one:
// `open-tab`, sent when a budget alert notification is clicked (src-tauri/src/alerts.rs).
import { listen } from '@tauri-apps/api/event';

/** The event that asks the window to show a tab; its payload is the tab's id. */
export const OPEN_TAB_EVENT = 'open-tab';

/** Calls `onTab` with the id each `open-tab` event names. Never rejects: without the event
 * (a test without a backend) the window simply does not switch. */
export function onOpenTab(onTab: (tab: string) => void): void {
  listen<string>(OPEN_TAB_EVENT, (e) => {
    if (typeof e.payload === 'string') onTab(e.payload);
  }).catch(() => undefined);
}
