// Home screen: Usage, Doctor and Settings as an ARIA tab set, rendered from a HomeState
// (home-model.ts). The panels' elements are built once; a render only shows, hides and starts.
import { loadInto } from './async';
import { add, h, replaceChildren } from './dom';
import { DoctorPanel, DoctorSeat } from './doctor';
import { initialHome, TABS, tabForKey, updateHome, type HomeEvent, type HomeState, type TabId } from './home-model';
import { commands, type ConfigView } from './ipc';
import { UsagePanel } from './usage';

export type { TabId } from './home-model';

export interface HomeOptions {
  onRunSetup: () => void;
  initialTab?: TabId;
  /** The doctor run the backend holds, shared with the wizard's Verify step. */
  seat?: DoctorSeat;
}

export class Home {
  readonly el: HTMLElement;
  private state: HomeState;
  private readonly tabs = new Map<TabId, HTMLButtonElement>();
  private readonly panels = new Map<TabId, HTMLElement>();
  private readonly seat: DoctorSeat;
  /** The Settings load rendered last (a load is started for each new `settingsLoad`). */
  private settingsShown = 0;
  /** Resolves when the most recent Settings load has settled (used by tests). */
  settingsLoaded: Promise<void> = Promise.resolve();
  /** The Doctor tab's panel, once the tab has been shown. */
  doctor: DoctorPanel | null = null;
  /** The Usage tab's panel, once the tab has been shown (it refreshes only while shown). */
  usage: UsagePanel | null = null;

  constructor(opts: HomeOptions) {
    this.seat = opts.seat ?? new DoctorSeat();
    this.state = initialHome(opts.initialTab);

    const tablist = h('div', {
      role: 'tablist',
      class: 'tablist',
      'aria-label': 'Home sections',
      on: {
        keydown: (ev) => {
          if (tabForKey(this.state.tab, ev.key) === null) return;
          ev.preventDefault();
          this.dispatch({ type: 'key', key: ev.key }, true);
        },
      },
    });

    for (const t of TABS) {
      const tab = h(
        'button',
        {
          type: 'button',
          role: 'tab',
          class: 'tab',
          id: `tab-${t.id}`,
          'data-testid': `tab-${t.id}`,
          'aria-controls': `panel-${t.id}`,
          on: { click: () => this.select(t.id, true) },
        },
        t.label,
      );
      this.tabs.set(t.id, tab);
      tablist.appendChild(tab);
      this.panels.set(
        t.id,
        h('section', { role: 'tabpanel', class: 'tabpanel', id: `panel-${t.id}`, 'data-testid': `panel-${t.id}`, 'aria-labelledby': `tab-${t.id}`, tabindex: '0' }),
      );
    }

    this.panel('doctor').append(
      h('h2', null, 'Doctor'),
      h('p', null, 'The connectivity checks: every hop from this machine to Azure AI Foundry, each problem named with its fix. Copy or save the report for your help desk.'),
    );

    const runSetup = h('button', { type: 'button', class: 'btn btn-link', 'data-testid': 'run-setup-again', on: { click: () => opts.onRunSetup() } }, 'Run setup again');

    this.el = h('div', { class: 'home', 'data-testid': 'home' }, h('div', { class: 'home-bar' }, tablist, runSetup), [...this.panels.values()]);
    this.render(false);
  }

  get current(): TabId {
    return this.state.tab;
  }

  select(id: TabId, focus: boolean): void {
    this.dispatch({ type: 'select', tab: id }, focus);
  }

  /** The home is replaced: its doctor run, if still going, stops. */
  dispose(): void {
    this.doctor?.dispose();
    this.usage?.dispose();
  }

  private dispatch(e: HomeEvent, focus: boolean): void {
    this.state = updateHome(this.state, e);
    this.render(focus);
  }

  private panel(id: TabId): HTMLElement {
    const p = this.panels.get(id);
    if (!p) throw new Error(`no panel ${id}`); // unreachable: every tab gets a panel above
    return p;
  }

  private render(focus: boolean): void {
    const s = this.state;
    for (const t of TABS) {
      const on = t.id === s.tab;
      const tab = this.tabs.get(t.id);
      if (!tab) continue;
      tab.setAttribute('aria-selected', on ? 'true' : 'false');
      tab.tabIndex = on ? 0 : -1;
      this.panel(t.id).hidden = !on;
    }
    if (focus) this.tabs.get(s.tab)?.focus();
    if (s.settingsLoad !== this.settingsShown) {
      this.settingsShown = s.settingsLoad;
      this.loadSettings();
    }
    // The usage panel paints from the cache when first shown and refreshes only while shown.
    if (s.tab === 'usage' && !this.usage) {
      this.usage = new UsagePanel();
      this.panel('usage').append(this.usage.el);
    }
    if (s.tab === 'usage') this.usage?.show();
    else this.usage?.hide();
    // The doctor runs the first time its tab is shown; Run again after that.
    if (s.doctorOpened && !this.doctor) {
      this.doctor = new DoctorPanel({ withClaude: false, claudeToggle: true, autoRun: true, seat: this.seat });
      this.panel('doctor').append(this.doctor.el);
    }
  }

  private loadSettings(): void {
    const panel = this.panel('settings');
    const body = h('div', { class: 'settings-body' });
    replaceChildren(panel, h('h2', null, 'Settings'), body);
    this.settingsLoaded = loadInto(body, commands.configView, (view) => renderSettings(body, view), { loadingLabel: 'Loading configuration…' });
  }
}

function renderSettings(container: HTMLElement, view: ConfigView): void {
  const locked =
    view.locked.length > 0
      ? h('ul', { class: 'locked-keys', 'data-testid': 'locked-keys' }, view.locked.map((k) => h('li', null, h('code', null, k))))
      : h('p', { class: 'muted', 'data-testid': 'locked-keys' }, 'No keys are locked by an org policy.');

  add(
    container,
    h('h3', null, 'Effective configuration'),
    h('pre', { class: 'code-block', 'data-testid': 'config-toml', tabindex: '0', 'aria-label': 'Effective configuration (TOML)' }, view.toml),
    h('h3', null, 'Locked by org policy'),
    locked,
    view.notices.length > 0 ? [h('h3', null, 'Notices'), h('ul', { class: 'notices', 'data-testid': 'config-notices' }, view.notices.map((n) => h('li', null, n)))] : null,
  );
}
