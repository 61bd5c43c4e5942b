// What a doctor check saw, drawn from its structured evidence: the DNS chain per name, the
// certificates, the connect round trips, the HTTP answer and the labelled facts.
// The core leaves empty fields out of the JSON, so every field may be missing here.
import { h, type Child } from './dom';
import type { AddressEvidence, CertEvidence, Evidence, HttpEvidence, NameEvidence } from './ipc';

function tag(text: string, tone: 'ok' | 'bad' | 'neutral'): HTMLElement {
  return h('span', { class: `dtag dtag-${tone}` }, text);
}

function addressLine(a: AddressEvidence): HTMLElement {
  return h(
    'li',
    { class: 'daddr' },
    h('code', null, a.ip),
    ' ',
    tag(a.private ? 'private' : 'public', a.private ? 'ok' : 'bad'),
    a.inExpectedCidrs === true ? tag('in expected CIDRs', 'ok') : a.inExpectedCidrs === false ? tag('outside expected CIDRs', 'bad') : null,
    a.matchesPrivateEndpoint === true ? tag('= private endpoint', 'ok') : a.matchesPrivateEndpoint === false ? tag('≠ private endpoint', 'bad') : null,
  );
}

function namesTable(names: NameEvidence[]): HTMLElement {
  return h(
    'table',
    { class: 'dtable', 'data-testid': 'evidence-dns' },
    h('caption', { class: 'sr-only' }, 'DNS answers'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'CNAME chain'), h('th', { scope: 'col' }, 'Addresses'))),
    h(
      'tbody',
      null,
      names.map((n) =>
        h(
          'tr',
          { 'data-name': n.name },
          h('td', null, h('code', null, n.name), n.viaPrivatelink ? null : h('div', null, tag('no privatelink CNAME', 'bad'))),
          h(
            'td',
            null,
            (n.chain ?? []).length === 0
              ? h('span', { class: 'muted' }, 'none')
              : h('ol', { class: 'dchain' }, (n.chain ?? []).map((c) => h('li', null, h('code', null, c)))),
          ),
          h(
            'td',
            null,
            n.error ? h('div', { class: 'dbad' }, n.error) : null,
            n.hostsOverride ? h('div', null, tag('hosts file', 'bad'), ' ', h('code', null, n.hostsOverride)) : null,
            (n.addresses ?? []).length > 0 ? h('ul', { class: 'daddrs' }, (n.addresses ?? []).map(addressLine)) : null,
          ),
        ),
      ),
    ),
  );
}

function certList(certs: CertEvidence[]): HTMLElement {
  return h(
    'ol',
    { class: 'dcerts', 'data-testid': 'evidence-certs' },
    certs.map((c, i) =>
      h(
        'li',
        null,
        h('div', null, h('span', { class: 'dlabel' }, i === 0 ? 'Server: ' : 'Issued by: '), h('code', null, c.subject)),
        h('div', null, h('span', { class: 'dlabel' }, 'Issuer: '), h('code', null, c.issuer)),
        h('div', null, h('span', { class: 'dlabel' }, 'Valid: '), `${c.notBefore} – ${c.notAfter}`),
        (c.names ?? []).length > 0 ? h('div', null, h('span', { class: 'dlabel' }, 'Names: '), (c.names ?? []).join(', ')) : null,
      ),
    ),
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x.toFixed(0));

function rttLine(rtt: number[]): HTMLElement {
  return h(
    'p',
    { class: 'drtt', 'data-testid': 'evidence-rtt' },
    h('span', { class: 'dlabel' }, 'Connect round trips: '),
    rtt.map(ms).join(', '),
    ' ms (median ',
    ms(median(rtt)),
    ' ms)',
  );
}

function httpBlock(http: HttpEvidence): Child {
  return [
    h(
      'p',
      { 'data-testid': 'evidence-http' },
      h('span', { class: 'dlabel' }, 'HTTP: '),
      h('strong', null, String(http.status)),
      http.contentType ? [' ', h('code', null, http.contentType)] : null,
      ' from ',
      h('code', null, http.url),
    ),
    http.bodyStart ? h('pre', { class: 'dbody', tabindex: '0', 'aria-label': 'Start of the answer' }, http.bodyStart) : null,
  ];
}

function factsTable(facts: [string, string][], resolver: string | null | undefined): HTMLElement {
  const rows: [string, string][] = resolver ? [['resolver', resolver], ...facts] : facts;
  return h(
    'table',
    { class: 'dtable dfacts', 'data-testid': 'evidence-facts' },
    h('caption', { class: 'sr-only' }, 'Facts'),
    h('tbody', null, rows.map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, v)))),
  );
}

/** The evidence block, or null when the check left none. */
export function evidenceView(ev: Evidence | null | undefined): HTMLElement | null {
  if (!ev) return null;
  const names = ev.names ?? [];
  const certs = ev.certificates ?? [];
  const rtt = ev.rttMs ?? [];
  const facts = ev.facts ?? [];
  if (!names.length && !certs.length && !rtt.length && !facts.length && !ev.http && !ev.resolver) return null;
  return h(
    'div',
    { class: 'devidence', 'data-testid': 'evidence' },
    h('h4', { class: 'devidence-title' }, 'Evidence'),
    names.length ? namesTable(names) : null,
    certs.length ? certList(certs) : null,
    rtt.length ? rttLine(rtt) : null,
    ev.http ? httpBlock(ev.http) : null,
    facts.length || ev.resolver ? factsTable(facts, ev.resolver) : null,
  );
}
