// What the doctor panel does beyond showing results: hand the report over (Copy, Save) and
// apply the one-click fixes the core offers.
import { errorPanel, spinner } from './async';
import { h, replaceChildren } from './dom';
import { commands, toIpcError, type Fix, type ReportFormat } from './ipc';

/**
 * Copies the Markdown report, reporting into `out`. WebKit allows the clipboard only inside the
 * click, so the text goes over as a promise (ClipboardItem) while it is still being fetched;
 * without that, writeText after the fetch; without any clipboard access, the text selected for Ctrl+C.
 */
export async function copyReport(out: HTMLElement): Promise<void> {
  const text = commands.doctorReportMarkdown();
  const clip = navigator.clipboard as Clipboard | undefined;
  let copied: Promise<void>;
  if (clip?.write && typeof ClipboardItem !== 'undefined') {
    copied = clip.write([new ClipboardItem({ 'text/plain': text.then((t) => new Blob([t], { type: 'text/plain' })) })]);
  } else if (clip?.writeText) {
    copied = text.then((t) => clip.writeText(t));
  } else {
    copied = Promise.reject(new Error('no clipboard'));
  }
  let md: string;
  try {
    md = await text;
  } catch (e) {
    copied.catch(() => undefined);
    replaceChildren(out, errorPanel(toIpcError(e), () => void copyReport(out)));
    return;
  }
  try {
    await copied;
    replaceChildren(out, h('p', { class: 'callout', 'data-testid': 'copy-done' }, 'The report is on the clipboard (tokens, keys and user names are redacted).'));
  } catch {
    const area = h('textarea', { class: 'dreport-text', readonly: true, rows: '8', 'aria-label': 'Doctor report (Markdown)', 'data-testid': 'report-text' });
    area.value = md;
    replaceChildren(out, h('p', null, 'Press Ctrl+C to copy the selected report:'), area);
    area.focus();
    area.select();
  }
}

/** Saves the report (the backend picks Downloads, else Documents, else home) and says where. */
export async function saveReport(out: HTMLElement, format: ReportFormat): Promise<void> {
  try {
    const path = await commands.doctorSaveReport(format);
    replaceChildren(out, h('p', { class: 'callout', 'data-testid': 'save-done' }, 'Report saved to ', h('code', { 'data-testid': 'saved-path' }, path), '.'));
  } catch (e) {
    replaceChildren(out, errorPanel(toIpcError(e), () => void saveReport(out, format)));
  }
}

/** The one-click fix on a result; `onApplied` gets a notice to keep above the next run. */
export function fixView(fix: Fix, onApplied: (notice: HTMLElement) => void): HTMLElement | null {
  if (fix.kind !== 'trustCa') return null;
  const result = h('div', { class: 'dfix-result', 'aria-live': 'polite' });
  const button: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'btn btn-primary',
      'data-testid': 'fix-trust-ca',
      on: {
        click: () => {
          button.disabled = true;
          replaceChildren(result, spinner('Trusting the CA and writing the profile…'));
          commands.doctorTrustCa(fix.pem).then(
            (bundle) =>
              onApplied(
                h('p', { class: 'callout', 'data-testid': 'fix-done' }, 'Trusted ', h('strong', null, fix.issuer), '. Saved to ', h('code', null, bundle), '; the profile now exports ', h('code', null, 'NODE_EXTRA_CA_CERTS'), ' (open a new terminal for it). The checks ran again below.'),
              ),
            (e) => {
              button.disabled = false;
              replaceChildren(result, errorPanel(toIpcError(e), () => button.click()));
            },
          );
        },
      },
    },
    'Trust this CA',
  );
  return h(
    'div',
    { class: 'dfix', 'data-testid': 'fix' },
    h('p', null, 'One click: add ', h('strong', null, fix.issuer), ' to the extra CA bundle, point ', h('code', null, 'network.extra_ca_file'), ' at it and export ', h('code', null, 'NODE_EXTRA_CA_CERTS'), ' in your profile. Only do this if your company runs this inspection proxy.'),
    button,
    result,
  );
}
