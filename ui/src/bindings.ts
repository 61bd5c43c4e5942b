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
dns: string, caFile: string, home: string, configFile: string | null, };
export type SandboxInfo = { endpoints: SandboxEndpoints, faults: Array<string>, latencyMs: number, };
export type AppInfo = { version: string, os: string, sandbox: SandboxInfo | null, 
/**
 * The config is a sandbox config (the loopback guard is on), whoever started the sandbox.
 */
sandboxConfig: boolean, configFile: string | null, policyFile: string | null, logDir: string | null, };
export type ConfigView = { toml: string, locked: Array<string>, notices: Array<string>, };
export type Target = "bash" | "zsh" | "fish" | "pwsh" | "claude-settings";
export type AuthMode = "entra" | "api-key" | "gateway";
export type FileChange = { target: Target, path: string, 
/**
 * "create", "update", "unchanged", "remove", "delete" or "absent".
 */
action: string, 
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
export type Finding = { 
/**
 * "warn" or "fail".
 */
severity: string, 
/**
 * "profile" (a variable of ours is missing or different) or "conflict" (something else in
 * the environment or the settings files gets in the way).
 */
about: string, message: string, hint: string, };
export type EffectiveEnv = { cwd: string, vars: Array<EffectiveVar>, findings: Array<Finding>, 
/**
 * The settings files read, in order, with "ok", "absent" or why it was skipped.
 */
files: Array<[string, string]>, };
export type ShellCheck = { target: Target, 
/**
 * "pass", "fail" or "skip".
 */
status: string, detail: string, 
/**
 * Variables that were not set, or set to something else.
 */
mismatches: Array<string>, };
export type ClientCheck = { target: Target, 
/**
 * "pass", "fail" or "skip".
 */
status: string, detail: string, apiErrorStatus: number | null, };
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
export type Account = { id: string, name: string, location: string, sku: string, customSubdomain: string | null, publicNetworkAccess: string, privateEndpoints: Array<PrivateEndpoint>, deployments: Array<Deployment>, 
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
