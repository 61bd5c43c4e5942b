// Home screen: Usage, Doctor and Settings as an ARIA tab set.
import { loadInto } from './async';
import { add, h, replaceChildren } from './dom';
import { DoctorPanel } from './doctor';
import { commands, type ConfigView } from './ipc';

export type TabId = 'usage' | 'doctor' | 'settings';

const TABS: readonly { id: TabId; label: string }[] = [
  { id: 'usage', label: 'Usage' },
  { id: 'doctor', label: 'Doctor' },
  { id: 'settings', label: 'Settings' },
];

export interface HomeOptions {
  onRunSetup: () => void;
  initialTab?: TabId;
}

export class Home {
  readonly el: HTMLElement;
  private readonly tabs = new Map<TabId, HTMLButtonElement>();
  private readonly panels = new Map<TabId, HTMLElement>();
  private selected: TabId;
  /** Resolves when the most recent Settings load has settled (used by tests). */
  settingsLoaded: Promise<void> = Promise.resolve();

  constructor(opts: HomeOptions) {
    this.selected = opts.initialTab ?? 'usage';

    const tablist = h('div', {
      role: 'tablist',
      class: 'tablist',
      'aria-label': 'Home sections',
      on: { keydown: (ev) => this.onKeyDown(ev) },
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

      const panel = h('section', {
        role: 'tabpanel',
        class: 'tabpanel',
        id: `panel-${t.id}`,
        'data-testid': `panel-${t.id}`,
        'aria-labelledby': `tab-${t.id}`,
        tabindex: '0',
      });
      this.panels.set(t.id, panel);
    }

    this.panels.get('usage')!.append(
      h('h2', null, 'Usage'),
      h('p', null, 'Token usage and cost per model deployment, from your Azure AI Foundry resource.'),
      h('p', { class: 'note' }, 'Coming in a later release.'),
    );
    this.panels.get('doctor')!.append(
      h('h2', null, 'Doctor'),
      h('p', null, 'The connectivity checks: every hop from this machine to Azure AI Foundry, each problem named with its fix. Copy or save the report for your help desk.'),
    );

    const runSetup = h(
      'button',
      { type: 'button', class: 'btn btn-link', 'data-testid': 'run-setup-again', on: { click: () => opts.onRunSetup() } },
      'Run setup again',
    );

    this.el = h(
      'div',
      { class: 'home', 'data-testid': 'home' },
      h('div', { class: 'home-bar' }, tablist, runSetup),
      [...this.panels.values()],
    );
    this.select(this.selected, false);
  }

  get current(): TabId {
    return this.selected;
  }

  select(id: TabId, focus: boolean): void {
    const changed = id !== this.selected;
    this.selected = id;
    for (const t of TABS) {
      const on = t.id === id;
      const tab = this.tabs.get(t.id)!;
      tab.setAttribute('aria-selected', on ? 'true' : 'false');
      tab.tabIndex = on ? 0 : -1;
      this.panels.get(t.id)!.hidden = !on;
    }
    if (focus) this.tabs.get(id)!.focus();
    if (id === 'settings' && (changed || !this.settingsStarted)) this.loadSettings();
    // The doctor runs the first time its tab is shown; Run again after that.
    if (id === 'doctor' && !this.doctor) {
      this.doctor = new DoctorPanel({ withClaude: false, claudeToggle: true, autoRun: true });
      this.panels.get('doctor')!.append(this.doctor.el);
    }
  }

  /** The Doctor tab's panel, once the tab has been shown. */
  doctor: DoctorPanel | null = null;

  private settingsStarted = false;

  private loadSettings(): void {
    this.settingsStarted = true;
    const panel = this.panels.get('settings')!;
    const body = h('div', { class: 'settings-body' });
    replaceChildren(panel, h('h2', null, 'Settings'), body);
    this.settingsLoaded = loadInto(body, commands.configView, (view) => renderSettings(body, view), {
      loadingLabel: 'Loading configuration…',
    });
  }

  private onKeyDown(ev: KeyboardEvent): void {
    const ids = TABS.map((t) => t.id);
    const i = ids.indexOf(this.selected);
    let next: number;
    switch (ev.key) {
      case 'ArrowRight':
        next = (i + 1) % ids.length;
        break;
      case 'ArrowLeft':
        next = (i - 1 + ids.length) % ids.length;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = ids.length - 1;
        break;
      default:
        return;
    }
    ev.preventDefault();
    this.select(ids[next], true);
  }
}

function renderSettings(container: HTMLElement, view: ConfigView): void {
  const locked =
    view.locked.length > 0
      ? h(
          'ul',
          { class: 'locked-keys', 'data-testid': 'locked-keys' },
          view.locked.map((k) => h('li', null, h('code', null, k))),
        )
      : h('p', { class: 'muted', 'data-testid': 'locked-keys' }, 'No keys are locked by an org policy.');

  add(
    container,
    h('h3', null, 'Effective configuration'),
    h('pre', { class: 'code-block', 'data-testid': 'config-toml', tabindex: '0', 'aria-label': 'Effective configuration (TOML)' }, view.toml),
    h('h3', null, 'Locked by org policy'),
    locked,
    view.notices.length > 0
      ? [
          h('h3', null, 'Notices'),
          h(
            'ul',
            { class: 'notices', 'data-testid': 'config-notices' },
            view.notices.map((n) => h('li', null, n)),
          ),
        ]
      : null,
  );
}
