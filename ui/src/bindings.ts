// This file is generated from Rust by `cargo test -p foundry-onboard-core bindings` — do not edit.
export type ErrorKind = "config" | "policy" | "io" | "network" | "guard" | "sandbox" | "notBuilt" | "internal";
export type IpcError = { kind: ErrorKind, message: string, hint: string, };
export type SandboxEndpoints = { armUrl: string, authorityUrl: string, 
/**
 * What Claude Code gets as `ANTHROPIC_FOUNDRY_BASE_URL` in sandbox mode: `localhost`, which
 * every resolver maps to loopback, so a shell that sourced the profile reaches the sandbox.
 */
foundryBaseUrl: string, 
/**
 * The same endpoint by the resource's Azure name, which only the sandbox DNS resolves
 * (through its privatelink CNAME, as a private DNS zone would).
 */
foundryPrivateUrl: string, 
/**
 * The same Foundry stand-in over plain HTTP on loopback.
 */
foundryHttpUrl: string, gatewayUrl: string, 
/**
 * `127.0.0.1:port`, UDP and TCP.
 */
dns: string, caFile: string, home: string, configFile: string | null, 
/**
 * With `tls-intercepted`: the PEM of the "inspection" CA that signed the Foundry port's
 * certificate — not in `caFile`; the fix a help desk offers as `NODE_EXTRA_CA_CERTS`.
 */
inspectionCaFile?: string | null, 
/**
 * With `--signed-in`: who the sandbox's own az is signed in as (its `AZURE_CONFIG_DIR` is
 * `azure/` beside `home`).
 */
signedInAs?: string | null, };
export type SandboxInfo = { endpoints: SandboxEndpoints, faults: Array<string>, latencyMs: number, };
export type AppInfo = { version: string, os: string, sandbox: SandboxInfo | null, 
/**
 * The config is a sandbox config (the loopback guard is on), whoever started the sandbox.
 */
sandboxConfig: boolean, configFile: string | null, policyFile: string | null, logDir: string | null, 
/**
 * `--tab`: the app opens on this tab of its home instead of the wizard.
 */
startTab: HomeTab | null, };
export type HomeTab = "usage" | "doctor" | "settings";
export type LoginMode = "cli" | "api-key";
export type ChooseModels = "ask" | "newest";
export type DecidedBy = "organisation";
export type DecidedEndpoint = { "kind": "resource", name: string, } | { "kind": "baseUrl", url: string, } | { "kind": "gateway", url: string | null, };
export type LoginDecision = { mode: LoginMode, by: DecidedBy, locked: boolean, };
export type EndpointDecision = { endpoint: DecidedEndpoint, by: DecidedBy, locked: boolean, };
export type TierDecision = { deployment: string, by: DecidedBy, locked: boolean, };
export type Ask = "endpoint" | "sonnet" | "haiku" | "opus";
export type Decided = { 
/**
 * The policy file read, when there is one.
 */
policyFile: string | null, login: LoginDecision | null, endpoint: EndpointDecision | null, sonnet: TierDecision | null, haiku: TierDecision | null, opus: TierDecision | null, 
/**
 * `models.choose`: the policy's, else the config's.
 */
choose: ChooseModels, 
/**
 * In order; empty when the policy answers everything (the newest pick included).
 */
leftToAsk: Array<Ask>, };
export type PolicyStatus = "applied" | "none";
export type SigninStatus = "waiting" | "done" | "skipped";
export type ChooseStatus = "decided" | "newest";
export type ProfileStatus = "written" | "unchanged";
export type FileSummary = { target: Target, path: string, action: FileAction, };
export type RolloutEvent = { "step": "policy", status: PolicyStatus, file: string | null, decided: Decided, } | { "step": "signin", status: SigninStatus, code: string | null, url: string | null, user: string | null, already: boolean, } | { "step": "choose", status: ChooseStatus, endpoint: string, sonnet: string, haiku: string, opus: string, newest: Array<Tier>, } | { "step": "profile", status: ProfileStatus, config: string, files: Array<FileSummary>, } | { "step": "verify", status: Status, detail: string, } | { "step": "doctor", status: Status, pass: number, warn: number, fail: number, fix: string | null, } | { "step": "done", ok: boolean, changed: boolean, summary: string, ms: number, };
export type ConfigView = { toml: string, locked: Array<string>, notices: Array<string>, 
/**
 * What the org policy decided for onboarding and what is left to ask (the wizard skips
 * what is decided and shows who decided it).
 */
decided: Decided, };
export type Target = "bash" | "zsh" | "fish" | "pwsh" | "claude-settings";
export type AuthMode = "entra" | "api-key" | "gateway";
export type FileAction = "create" | "update" | "unchanged" | "remove" | "delete" | "absent";
export type FileChange = { target: Target, path: string, action: FileAction, 
/**
 * A unified diff (lossy UTF-8) of the change.
 */
diff: string, };
export type EffectiveVar = { name: string, 
/**
 * Masked when it is a credential.
 */
value: string, 
/**
 * "process environment" or the settings file that set it last.
 */
source: string, };
export type Severity = "warn" | "fail";
export type FindingAbout = "profile" | "conflict";
export type Finding = { severity: Severity, about: FindingAbout, message: string, hint: string, };
export type EffectiveEnv = { cwd: string, vars: Array<EffectiveVar>, findings: Array<Finding>, 
/**
 * The verdict on `findings` ([`status_of`]).
 */
status: Status, 
/**
 * The settings files read, in order, with "ok", "absent" or why it was skipped.
 */
files: Array<[string, string]>, };
export type ShellCheck = { target: Target, 
/**
 * Pass, fail or skip.
 */
status: Status, detail: string, 
/**
 * Variables that were not set, or set to something else.
 */
mismatches: Array<string>, };
export type ClientCheck = { target: Target, 
/**
 * Pass, fail or skip.
 */
status: Status, detail: string, apiErrorStatus: number | null, };
export type ProfilePreview = { mode: AuthMode, home: string, sandbox: boolean, files: Array<FileChange>, 
/**
 * What Claude Code sees now, before anything is written.
 */
effective: EffectiveEnv, };
export type ProfileOutcome = { mode: AuthMode, home: string, files: Array<FileChange>, shells: Array<ShellCheck>, client: ClientCheck | null, };
export type LoginState = { signedIn: boolean, user: string | null, tenantId: string | null, subscription: string | null, subscriptionId: string | null, cloud: string | null, configDir: string, };
export type SignInStatus = { 
/**
 * Where az is, when it is installed.
 */
azPath: string | null, azVersion: string | null, 
/**
 * Why az cannot be used (missing, too old), with the install instructions as its hint.
 */
azProblem: IpcError | null, state: LoginState, };
export type LoginEvent = { "type": "line", text: string, } | { "type": "deviceCode", code: string, url: string, };
export type Tier = "sonnet" | "haiku" | "opus";
export type Deployment = { name: string, model: string, modelVersion: string, format: string, sku: string, capacity: number | null, 
/**
 * Set for Claude deployments.
 */
tier: Tier | null, };
export type PrivateEndpoint = { id: string, status: string, };
export type Proposed = { sonnet: string | null, haiku: string | null, opus: string | null, };
export type Account = { id: string, name: string, location: string, sku: string, customSubdomain: string | null, publicNetworkAccess: string, privateEndpoints: Array<PrivateEndpoint>, 
/**
 * Empty until `deploymentsLoaded`.
 */
deployments: Array<Deployment>, 
/**
 * False after the first phase; true once the second phase listed the deployments (and
 * `proposed` and `note` are final).
 */
deploymentsLoaded: boolean, 
/**
 * The newest deployment per tier.
 */
proposed: Proposed, 
/**
 * Why this account cannot be used, when it cannot (shown greyed out).
 */
note: string | null, };
export type Subscription = { id: string, name: string, tenantId: string, accounts: Array<Account>, 
/**
 * ARM's refusal for this subscription (e.g. 403), when listing its accounts failed.
 */
error: string | null, };
export type Discovered = { subscriptions: Array<Subscription>, elapsedMs: number, requests: number, };
export type AccountDeployments = { accountId: string, deployments: Array<Deployment>, 
/**
 * The newest deployment per tier.
 */
proposed: Proposed, 
/**
 * Why this account cannot be used, when it cannot (shown greyed out).
 */
note: string | null, 
/**
 * Listing failed: what happened and what to do (the app offers a retry).
 */
error: IpcError | null, };
export type ModelChoice = { subscriptionId: string, 
/**
 * The account's custom subdomain (its resource name for Claude Code).
 */
resource: string, sonnet: string, haiku: string, opus: string, 
/**
 * The same deployment serves two tiers, and the person confirmed it.
 */
reuseConfirmed: boolean, };
export type GatewayChoice = { url: string, sonnet: string, haiku: string, opus: string, reuseConfirmed: boolean, };
export type Section = "Environment" | "Sign-in" | "Private path" | "Foundry" | "Gateway";
export type Status = "pass" | "skip" | "warn" | "fail";
export type CheckId = "env.claude" | "env.profile" | "claude.live" | "signin.az" | "signin.token" | "path.dns" | "path.proxy" | "path.tcp" | "path.tls" | "path.https" | "foundry.sonnet" | "foundry.haiku" | "foundry.opus" | "foundry.config" | "gateway.reachable" | "gateway.auth" | "gateway.usage" | "usage.source";
export type AddressEvidence = { ip: string, 
/**
 * RFC 1918 / ULA / loopback (the sandbox's private network is 127.0.0.0/8).
 */
private: boolean, 
/**
 * Inside `network.expected_cidrs` (None when none are configured).
 */
inExpectedCidrs: boolean | null, 
/**
 * Equal to the private endpoint's own IP from ARM (None when ARM did not say).
 */
matchesPrivateEndpoint: boolean | null, };
export type NameEvidence = { name: string, 
/**
 * Each CNAME target in order, then the addresses.
 */
chain: Array<string>, 
/**
 * Whether the chain went through `<res>.privatelink.<zone>`.
 */
viaPrivatelink: boolean, addresses: Array<AddressEvidence>, 
/**
 * "NXDOMAIN", a timeout, … when the lookup failed.
 */
error: string | null, 
/**
 * The hosts-file entry that overrides DNS for this name, when there is one.
 */
hostsOverride: string | null, };
export type CertEvidence = { subject: string, issuer: string, notBefore: string, notAfter: string, 
/**
 * DNS names the certificate is valid for.
 */
names: Array<string>, };
export type HttpEvidence = { url: string, status: number, contentType: string | null, 
/**
 * The first bytes of an unexpected body, credentials masked.
 */
bodyStart: string | null, };
export type Evidence = { resolver?: string, names: Array<NameEvidence>, 
/**
 * Connect round trips, in milliseconds.
 */
rttMs: Array<number>, 
/**
 * The presented chain, leaf first.
 */
certificates: Array<CertEvidence>, http?: HttpEvidence, 
/**
 * Anything else, as labelled lines (proxy decision, versions, ARM properties…).
 */
facts: Array<[string, string]>, };
export type Fix = { "kind": "trustCa", pem: string, suggestedPath: string, issuer: string, };
export type CheckResult = { id: CheckId, section: Section, title: string, status: Status, detail: string, 
/**
 * The next step; empty for a pass.
 */
hint: string, durationMs: number, evidence: Evidence, fix?: Fix, };
export type PlannedCheck = { id: CheckId, section: Section, title: string, 
/**
 * Skipped unless these pass.
 */
requires: Array<CheckId>, 
/**
 * Waited for (briefly) for their facts, whatever their outcome, before it starts.
 */
after: Array<CheckId>, 
/**
 * Whose facts it may wait for (briefly) while it runs, when its own findings need them.
 */
uses: Array<CheckId>, };
export type HeldBack = { by: CheckId, cause: CheckId, };
export type Summary = { pass: number, warn: number, fail: number, skip: number, elapsedMs: number, 
/**
 * The run was cancelled or hit its overall deadline before every check ended.
 */
incomplete: boolean, };
export type DoctorEvent = { "event": "planned", checks: Array<PlannedCheck>, } | { "event": "started", id: CheckId, } | { "event": "finished", result: CheckResult, 
/**
 * Set when the check was skipped because a prerequisite did not pass.
 */
heldBack?: HeldBack, } | { "event": "done", summary: Summary, };
export type Report = { appVersion: string, os: string, 
/**
 * RFC 3339, UTC.
 */
time: string, sandbox: boolean, 
/**
 * (setting, value) — endpoints, tenant, deployments; never a secret.
 */
config: Array<[string, string]>, summary: Summary, checks: Array<CheckResult>, limitations: Array<string>, };
export type Identity = { userId: string | null, email: string | null, 
/**
 * The gateway key's alias (never the key itself).
 */
keyAlias: string | null, teamId: string | null, };
export type SourceKind = "litellm" | "azure-monitor" | "local";
export type Provenance = { "kind": "gateway" } | { "kind": "azureMonitor", lagMinutes: number, } | { "kind": "localEstimate" };
export type Completeness = { "kind": "complete" } | { "kind": "partial", reason: string, } | { "kind": "empty" };
export type BudgetScope = "key" | "user" | "team" | "policy";
export type BudgetUnit = "usd" | "tokens";
export type BudgetState = { "kind": "within" } | { "kind": "overSoftLimit" } | { "kind": "exceeded", message: string, };
export type Budget = { 
/**
 * Whose budget: the key's, the user's, the team's, or the org policy's.
 */
scope: BudgetScope, unit: BudgetUnit, 
/**
 * The hard limit, when one is set.
 */
limit: number | null, 
/**
 * A warning level below the limit (LiteLLM's soft budget).
 */
softLimit: number | null, 
/**
 * Spent in the current period.
 */
spent: number, periodStart: string | null, 
/**
 * The end of the current period: when `spent` goes back to zero.
 */
resetsAt: string | null, state: BudgetState, };
export type CostBasis = "gateway" | "price-table";
export type Cost = { usd: number, basis: CostBasis, };
export type Latency = { meanMs: number | null, p50Ms: number | null, p95Ms: number | null, p99Ms: number | null, };
export type UsageRow = { 
/**
 * The UTC day.
 */
date: string, 
/**
 * The model or deployment name exactly as the source spells it (kept as text, never markup).
 */
model: string, 
/**
 * Input tokens neither read from nor written to the prompt cache.
 */
inputTokens: number, outputTokens: number, cacheReadTokens: number, cacheWriteTokens: number, requests: number, failedRequests: number, 
/**
 * None means "no price" — never $0.
 */
cost: Cost | null, 
/**
 * Only where the source has it.
 */
latency: Latency | null, };
export type DroppedRecord = { 
/**
 * The date as the source wrote it.
 */
date: string, model: string | null, reason: string, };
export type UsageSnapshot = { 
/**
 * Whom the numbers are about.
 */
identity: Identity, 
/**
 * When the source was asked (RFC 3339, UTC).
 */
asOf: string, source: SourceKind, 
/**
 * How far each number can be trusted; it travels with the numbers to the screen and `--json`.
 */
provenance: Provenance, completeness: Completeness, 
/**
 * The budget the person is held to, when any is known.
 */
budget: Budget | null, 
/**
 * The team's budget beside it, when known.
 */
teamBudget: Budget | null, 
/**
 * One row per day and model, oldest day first, models by name within a day.
 */
rows: Array<UsageRow>, 
/**
 * Records the source sent that were not used (negative or absurd numbers, dates in the
 * future, unreadable dates), each with the reason; when any, `completeness` is partial.
 */
dropped: Array<DroppedRecord>, };
export type RateRange = { low: number, high: number, };
export type ForecastOutcome = { "kind": "notEnoughData", days: number, } | { "kind": "alreadyOver", percent: number, } | { "kind": "runsOut", on: string, daysBeforeReset: bigint, 
/**
 * At the high end of the rate range.
 */
earliest: string | null, 
/**
 * At the low end; None when the low rate lasts until the reset.
 */
latest: string | null, } | { "kind": "shareAtReset", percent: number, lowPercent: number | null, highPercent: number | null, resetOn: string, };
export type Forecast = { method: string, 
/**
 * Complete days the rate was computed from (days without use count as zero).
 */
windowDays: number, 
/**
 * Budget units per day; None with too little history.
 */
dailyRate: number | null, 
/**
 * The 25th and 75th percentile day of the window, when the days vary a lot.
 */
rateRange: RateRange | null, outcome: ForecastOutcome, sentence: string, };
export type Stale = { 
/**
 * What went wrong now (the source's error, as the person would read it).
 */
reason: string, hint: string, 
/**
 * When the report shown was fetched.
 */
fetchedAt: string, };
export type UsageReport = { snapshot: UsageSnapshot, forecast: Forecast | null, 
/**
 * Spent as a share of the limit, in percent.
 */
percentUsed: number | null, 
/**
 * The highest `usage.alert_percent` threshold reached, if any: `usage` exits 1 when set.
 */
alertReached: number | null, 
/**
 * Set when this is the last good report from the disk cache because the source failed now.
 */
stale: Stale | null, };
export type TokenKind = "input" | "output" | "cache" | "all";
export type Table = { header: Array<string>, rows: Array<Array<string>>, };
export type Theme = "light" | "dark";
export type Gauge = { scope: BudgetScope, unit: BudgetUnit, spent: number, limit: number | null, 
/**
 * Spent as a share of the limit, in percent (the report's own figure for the person's budget).
 */
percent: number | null, periodStart: string | null, resetsAt: string | null, 
/**
 * The period in words, in the person's time zone: "period from 1 Dec 2026, 00:00, resets
 * 1 Jan 2027, 00:00"; None when the source gives neither end.
 */
period: string | null, state: BudgetState, };
export type NoticeKind = "budgetExceeded" | "overBudget" | "stale" | "partial" | "overSoftLimit" | "noSourceConfigured" | "noData";
export type Notice = { kind: NoticeKind, text: string, hint: string, 
/**
 * For a stale report: when the report shown was fetched.
 */
since: string | null, 
/**
 * `since` in the person's time zone: "3 Dec 2026, 19:35".
 */
sinceText: string | null, };
export type Health = { requests: number, failed: number, failedPercent: number | null, 
/**
 * Request-weighted means of the days' percentiles, in ms.
 */
p50Ms: number | null, p95Ms: number | null, p99Ms: number | null, };
export type Comparison = { localTokens: number, sourceTokens: number, sentence: string, 
/**
 * Set when the two differ a lot, with what it likely means.
 */
hint: string | null, };
export type UsageView = { source: SourceKind, 
/**
 * "from the gateway (LiteLLM)", "from Azure Monitor, about 5 minutes behind", "this machine only, estimate".
 */
provenance: string, 
/**
 * When the source was asked.
 */
asOf: string, 
/**
 * `as_of` in the person's time zone: "3 Dec 2026, 19:35".
 */
asOfText: string, 
/**
 * The person's budget, when the source knows one.
 */
gauge: Gauge | null, 
/**
 * The team's budget beside it, when the source has one.
 */
team: Gauge | null, 
/**
 * The core's forecast sentence ("at this pace you reach your budget on 12 Dec, …").
 */
forecast: string | null, 
/**
 * What the person must know before trusting the numbers, worst first.
 */
notices: Array<Notice>, 
/**
 * Requests, failures and latency — only when the source reports them.
 */
health: Health | null, 
/**
 * The highest alert threshold reached.
 */
alertReached: number | null, };
export type ChartImage = { 
/**
 * SVG text: the page shows it as `data:image/svg+xml`, which runs no script.
 */
svg: string, alt: string, 
/**
 * The numbers drawn, one row per day.
 */
table: Table, };
export type RangeCharts = { days: number, kind: TokenKind, tokens: ChartImage, 
/**
 * Only when some row has a price or the budget is in USD.
 */
cost: ChartImage | null, 
/**
 * Set when the range holds no usage at all: what the page says instead of two empty charts
 * (and, when the report has older days, when the last usage was).
 */
empty: string | null, };
export type TabAsk = { 
/**
 * One of [`view::RANGES`] (other values are clamped to 1..=90).
 */
days: number, kind: TokenKind, theme: Theme, };
export type UsageTab = { view: UsageView, 
/**
 * This machine beside the gateway (or Azure Monitor) over the range, when both have numbers.
 */
comparison: Comparison | null, 
/**
 * None on the first paint from disk: the gauge and the sentences come first, the charts with
 * the refresh right after.
 */
charts: RangeCharts | null, 
/**
 * True for the first paint from disk, before any network.
 */
fromCache: boolean, 
/**
 * The report is stale because the source refused or lacked the credential: what brings fresh
 * numbers (a gateway key the tab takes, or a sign-in).
 */
remedy: Remedy | null, };
export type Remedy = { "kind": "signIn" } | { "kind": "gatewayKey", 
/**
 * In a sandbox: the file its gateway's key is in, to copy from.
 */
sandboxKeyFile: string | null, };
export type TabAnswer = { "kind": "shown" } & UsageTab | { "kind": "signedOut", source: SourceKind, message: string, hint: string, 
/**
 * What brings the numbers: signing in, or a gateway key pasted into the tab.
 */
remedy: Remedy, } | { "kind": "failed", error: IpcError, };
export type Refreshed = { answer: TabAnswer, 
/**
 * Milliseconds until the next automatic refresh while the tab is open.
 */
nextInMs: number, };
/** Every doctor section, in report order. */
export const SECTION_ORDER: readonly Section[] = ["Environment","Sign-in","Private path","Foundry","Gateway"];
/** Every status, best to worst. */
export const STATUS_ORDER: readonly Status[] = ["pass","skip","warn","fail"];
