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
export type AppInfo = { version: string, os: string, sandbox: SandboxInfo | null, configFile: string | null, policyFile: string | null, logDir: string | null, };
export type ConfigView = { toml: string, locked: Array<string>, notices: Array<string>, };
