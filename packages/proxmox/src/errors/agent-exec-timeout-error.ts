/**
 * A command started through the guest agent did not report `exited` within the caller's
 * deadline. The process may still run in the guest; the caller decides whether to ask again.
 */
export class AgentExecTimeoutError extends Error {
  override readonly name = 'AgentExecTimeoutError';
  readonly retryable = true;
  constructor(
    readonly vmid: number,
    readonly pid: number,
  ) {
    super(`perintah guest agent di VM ${vmid} (pid ${pid}) tidak selesai / guest-agent command on VM ${vmid} (pid ${pid}) did not finish`);
  }
}
