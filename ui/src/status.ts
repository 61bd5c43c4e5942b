// Bottom status line: sandbox badge, version and config file.
import { h } from './dom';
import type { AppInfo, SandboxInfo } from './ipc';

export function sandboxTooltip(sandbox: SandboxInfo): string {
  const e = sandbox.endpoints;
  const lines = [
    'Running against the built-in sandbox:',
    `ARM: ${e.armUrl}`,
    `Authority: ${e.authorityUrl}`,
    `Foundry: ${e.foundryBaseUrl}`,
    `Foundry (HTTP): ${e.foundryHttpUrl}`,
    `Gateway: ${e.gatewayUrl}`,
    `DNS: ${e.dns}`,
    `CA file: ${e.caFile}`,
    `Home: ${e.home}`,
    `Config file: ${e.configFile ?? 'none'}`,
  ];
  // JSON gives a number even if the generated type says bigint (u64); Number() accepts both.
  const latency = Number(sandbox.latencyMs);
  if (latency > 0) lines.push(`Added latency: ${latency} ms`);
  if (sandbox.faults.length > 0) lines.push(`Faults: ${sandbox.faults.join(', ')}`);
  return lines.join('\n');
}

export function statusLine(info: AppInfo): HTMLElement {
  // In-process sandbox (--sandbox), or a config written by `foundry-onboard sandbox`.
  const tooltip = info.sandbox
    ? sandboxTooltip(info.sandbox)
    : 'This config points at a sandbox started with `foundry-onboard sandbox`: nothing reaches a real tenant.';
  const badge =
    info.sandbox || info.sandboxConfig
      ? h(
          'span',
          {
            class: 'badge badge-sandbox',
            'data-testid': 'sandbox-badge',
            title: tooltip,
            role: 'note',
            tabindex: '0',
            'aria-label': `Sandbox mode. ${tooltip}`,
          },
          'Sandbox',
        )
      : null;

  const config = info.configFile
    ? h('span', { class: 'status-item status-path', 'data-testid': 'config-file', title: info.configFile }, info.configFile)
    : h('span', { class: 'status-item muted', 'data-testid': 'config-file' }, 'no config file yet');

  return h(
    'footer',
    { class: 'status-line', 'data-testid': 'status-line' },
    badge,
    h('span', { class: 'status-item', 'data-testid': 'app-version' }, `v${info.version}`),
    config,
  );
}
