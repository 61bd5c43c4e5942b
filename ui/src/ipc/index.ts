// The only module allowed to talk to Tauri. Everything else imports from here: the generated
// `commands` (one typed function per Rust command, see commands.ts) and the types they carry.
export { commands, type ReportFormat } from './commands';
export { INTERNAL_ERROR_HINT, toIpcError } from './call';
export { OPEN_TAB_EVENT, onOpenTab } from './events';
export { SECTION_ORDER, STATUS_ORDER } from '../bindings';

export type {
  Account,
  AccountDeployments,
  AddressEvidence,
  AppInfo,
  CertEvidence,
  CheckResult,
  ClientCheck,
  ConfigView,
  Deployment,
  Discovered,
  DoctorEvent,
  EffectiveEnv,
  ErrorKind,
  Evidence,
  FileChange,
  HeldBack,
  Finding,
  Fix,
  GatewayChoice,
  HttpEvidence,
  IpcError,
  LoginEvent,
  LoginState,
  ModelChoice,
  NameEvidence,
  PlannedCheck,
  ProfileOutcome,
  ProfilePreview,
  Report,
  SandboxEndpoints,
  SandboxInfo,
  Section,
  ShellCheck,
  SignInStatus,
  Status,
  Subscription,
  Summary,
  Tier,
} from '../bindings';
