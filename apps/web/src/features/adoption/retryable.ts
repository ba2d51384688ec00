import type { VpsRequestDto } from '@betang/core';

/**
 * Whether the request page offers "Ulangi": the latest run failed and the API retries its kind
 * (retry-vps-request.ts): a provisioning or destroy of a failed request, or the marking of an
 * adopted VM (its request stays active or stopped).
 */
export function retryable(request: Pick<VpsRequestDto, 'status'>, runs: readonly { kind: string | null; status: string }[]): boolean {
  const last = runs[runs.length - 1];
  if (!last || last.status !== 'failed') return false;
  if (last.kind === 'adopt') return request.status !== 'decommissioned';
  return request.status === 'failed' && (last.kind === 'provision' || last.kind === 'decommission');
}
