// The home screen's state and its pure transitions: which tab is shown, and what showing it starts
// (Settings loads the configuration each time it is opened; the Doctor runs the first time only).

export type TabId = 'usage' | 'doctor' | 'settings';

export const TABS: readonly { id: TabId; label: string }[] = [
  { id: 'usage', label: 'Usage' },
  { id: 'doctor', label: 'Doctor' },
  { id: 'settings', label: 'Settings' },
];

export interface HomeState {
  readonly tab: TabId;
  /** Bumped each time Settings is opened: the view loads the configuration for each new value. */
  readonly settingsLoad: number;
  /** The Doctor tab has been shown (its panel exists and has run once). */
  readonly doctorOpened: boolean;
}

export type HomeEvent = { type: 'select'; tab: TabId } | { type: 'key'; key: string };

function select(s: HomeState, tab: TabId, first = false): HomeState {
  if (tab === s.tab && !first) return s;
  return {
    tab,
    settingsLoad: tab === 'settings' ? s.settingsLoad + 1 : s.settingsLoad,
    doctorOpened: s.doctorOpened || tab === 'doctor',
  };
}

export function initialHome(tab: TabId = 'usage'): HomeState {
  return select({ tab, settingsLoad: 0, doctorOpened: false }, tab, true);
}

/** The tab a key moves to from `tab` (arrows wrap; Home and End), or null for any other key. */
export function tabForKey(tab: TabId, key: string): TabId | null {
  const ids = TABS.map((t) => t.id);
  const i = ids.indexOf(tab);
  switch (key) {
    case 'ArrowRight':
      return ids[(i + 1) % ids.length];
    case 'ArrowLeft':
      return ids[(i - 1 + ids.length) % ids.length];
    case 'Home':
      return ids[0];
    case 'End':
      return ids[ids.length - 1];
    default:
      return null;
  }
}

/** The one place the home's state changes. */
export function updateHome(s: HomeState, e: HomeEvent): HomeState {
  switch (e.type) {
    case 'select':
      return select(s, e.tab);
    case 'key': {
      const tab = tabForKey(s.tab, e.key);
      return tab === null ? s : select(s, tab);
    }
  }
}
