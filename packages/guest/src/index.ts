export { shellQuote, shellCommand } from './shell-quote';
export {
  parseSshPublicKey,
  sanitiseSshKeyComment,
  SshPublicKeyErrorCode,
  SUPPORTED_SSH_KEY_TYPES,
  MIN_RSA_BITS,
  type SshKeyType,
  type SshPublicKey,
  type SshPublicKeyError,
  type SshPublicKeyResult,
} from './ssh-public-key';
export {
  ZGuestSpec,
  ZGuestHostname,
  ZGuestUsername,
  ZSshPublicKeyLine,
  ZAptUrl,
  HOSTNAME_PATTERN,
  USERNAME_PATTERN,
  RESERVED_USERNAMES,
  type GuestSpec,
  type GuestSpecInput,
} from './guest-spec.schema';
export { GuestError, GuestErrorCode, HostKeyMismatchError, GuestCommandError, GuestPreconditionError } from './guest-errors';
export { sshFingerprint } from './host-key';
export { connectGuest, type ConnectGuestOptions, type GuestConnection, type GuestShell, type ExecResult } from './guest-connection';
export { waitForCloudInit, type CloudInitResult } from './cloud-init';
export { configureGuest, parseGuestSpec, GUEST_STEPS, type GuestStepEvent } from './configure-guest';
export { APT_PROXY_FILE, aptProxyContent } from './steps/packages.step';
export { GUEST_STEP_KEYS, type GuestStep, type GuestStepKey, type StepCheck, type StepReport } from './steps/guest-step';
export { configureFirewall } from './configure-firewall';
export { growRootFilesystem, type GrowFilesystemReport } from './grow-filesystem';
