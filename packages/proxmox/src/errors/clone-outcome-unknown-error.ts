/**
 * A clone POST got no answer and the VM did not (yet) show up: the clone may still be
 * created. Retry the step with `preferredVmid: vmid` — it adopts the VM if it appears.
 */
export class CloneOutcomeUnknownError extends Error {
  override readonly name = 'CloneOutcomeUnknownError';
  readonly retryable = true;
  constructor(
    readonly vmid: number,
    cause: unknown,
  ) {
    super(`hasil clone VM ${vmid} tidak diketahui / outcome of clone to VM ${vmid} unknown`, { cause });
  }
}
