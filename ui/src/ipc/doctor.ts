// The doctor's commands (src-tauri/src/doctor.rs). Like index.ts, the only place they are invoked.
import { Channel, invoke } from '@tauri-apps/api/core';
import type { DoctorEvent, Report } from '../bindings';
import { toIpcError } from './index';

export type {
  AddressEvidence,
  CertEvidence,
  CheckResult,
  DoctorEvent,
  Evidence,
  Fix,
  HttpEvidence,
  NameEvidence,
  PlannedCheck,
  Report,
  Section,
  Status,
  Summary,
} from '../bindings';

export type ReportFormat = 'md' | 'json';

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toIpcError(e);
  }
}

/** Runs every check; `onEvent` sees the plan, each start and each result as it lands. A second run cancels the first. */
export function doctorRun(withClaude: boolean, onEvent: (e: DoctorEvent) => void): Promise<Report> {
  const channel = new Channel<DoctorEvent>();
  channel.onmessage = onEvent;
  return call<Report>('doctor_run', { withClaude, onEvent: channel });
}

export function doctorCancel(): Promise<void> {
  return call<void>('doctor_cancel');
}

/** The last finished report as Markdown (secrets redacted by the core). */
export function doctorReportMarkdown(): Promise<string> {
  return call<string>('doctor_report_markdown');
}

/** Saves the last report into Downloads (else Documents, else home); resolves to its path. */
export function doctorSaveReport(format: ReportFormat): Promise<string> {
  return call<string>('doctor_save_report', { format });
}

/** Trusts the inspection CA the last run offered and rewrites the profile; resolves to the CA bundle's path. */
export function doctorTrustCa(pem: string): Promise<string> {
  return call<string>('doctor_trust_ca', { pem });
}
