// Application shell: header, main view (wizard or home) and status line.
import { loadInto } from './async';
import { h, replaceChildren } from './dom';
import { DoctorSeat } from './doctor';
import { Home, type TabId } from './home';
import { TABS } from './home-model';
import { commands, onOpenTab, type AppInfo, type ConfigView } from './ipc';
import { planOf, type RolloutPlan } from './rollout-model';
import { statusLine } from './status';
import { Wizard, type StepId } from './wizard';

export type View = { name: 'wizard'; step?: StepId } | { name: 'home'; tab?: TabId };

export class App {
  readonly root: HTMLElement;
  private readonly main: HTMLElement;
  private readonly footerSlot: HTMLElement;
  private info: AppInfo | null = null;
  /** What the org policy decided (read once, when a policy is in force). */
  private plan: RolloutPlan | null = null;
  /** The doctor run the backend holds, whichever view started it. */
  private readonly seat = new DoctorSeat();
  wizard: Wizard | null = null;
  home: Home | null = null;
  /** Resolves once app_info has settled (rendered or error panel shown). */
  ready: Promise<void>;

  constructor(root: HTMLElement) {
    this.root = root;
    this.main = h('main', { class: 'app-main', id: 'main', 'data-testid': 'main' });
    this.footerSlot = h('div', { class: 'footer-slot' });
    replaceChildren(
      root,
      h('div', { class: 'app' },
        h(
          'header',
          { class: 'app-header' },
          h('h1', { class: 'app-title' }, 'Foundry Onboard'),
          // The help desk starts here: the doctor works before (or without) onboarding.
          h('button', { type: 'button', class: 'btn btn-link app-troubleshoot', 'data-testid': 'open-doctor', on: { click: () => this.openDoctor() } }, 'Troubleshoot'),
        ),
        this.main,
        this.footerSlot,
      ),
    );
    // Without a policy the wizard starts as it always has; with one, it first reads what was decided.
    const start = async (): Promise<{ info: AppInfo; view: ConfigView | null }> => {
      const info = await commands.appInfo();
      return { info, view: info.policyFile === null ? null : await commands.configView() };
    };
    this.ready = loadInto(this.main, start, ({ info, view }) => {
      this.info = info;
      this.plan = planOf(view?.decided);
      replaceChildren(this.footerSlot, statusLine(info));
      // `--tab usage` (a "Check my budget" shortcut) opens the home there; else the wizard.
      this.show(info.startTab ? { name: 'home', tab: info.startTab } : { name: 'wizard' });
    }, { loadingLabel: 'Starting…' });
    // The backend asks for a tab (a usage notification was clicked).
    onOpenTab((tab) => {
      const known = TABS.find((t) => t.id === tab);
      if (known) void this.ready.then(() => this.openTab(known.id));
    });
  }

  /** The Doctor tab, from anywhere (the wizard included). */
  openDoctor(): void {
    this.openTab('doctor');
  }

  /** A home tab, from anywhere (the wizard included, or a clicked notification). */
  openTab(tab: TabId): void {
    if (this.home) this.home.select(tab, true);
    else this.show({ name: 'home', tab }, true);
  }

  show(view: View, moveFocus = false): void {
    const info = this.info;
    if (!info) return;
    // The view being replaced stops what it started (before the next one starts anything).
    this.wizard?.dispose();
    this.home?.dispose();
    this.wizard = null;
    this.home = null;
    // The next view opens at its top, not at the offset the last one was scrolled to.
    this.main.scrollTop = 0;
    if (view.name === 'wizard') {
      const wizard = new Wizard({ info, seat: this.seat, plan: this.plan, startAt: view.step, onFinish: () => this.show({ name: 'home' }, true) });
      this.wizard = wizard;
      replaceChildren(this.main, wizard.el);
      if (moveFocus) wizard.el.querySelector<HTMLElement>('h2')?.focus();
    } else {
      const home = new Home({ initialTab: view.tab, seat: this.seat, onRunSetup: () => this.show({ name: 'wizard' }, true) });
      this.home = home;
      replaceChildren(this.main, home.el);
      if (moveFocus) home.el.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]')?.focus();
    }
  }
}

export function mountApp(root: HTMLElement): App {
  return new App(root);
}
