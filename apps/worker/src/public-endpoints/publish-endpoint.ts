import { recordPublicEndpointProbe, type PublicEndpoint } from '@betang/db';
import type { WorkerDeps } from '../deps';
import { probeTcpPorts } from './probe-ports';

/**
 * Probes the endpoint's declared ports at the VM (the guest gateway's probe host: the VM's
 * private address in production) and records which answered. What "actually open" means: a TCP
 * handshake from the worker to the VM completes on that port now — the guest's firewall admits
 * it and a service listens. It does not prove the office's edge forwards it (the worker sits
 * inside). Read-only towards the VM; the record is replaced, so safe to repeat.
 */
export async function probeEndpoint(
  deps: WorkerDeps,
  endpoint: PublicEndpoint,
  vm: { vmid: number; node: string },
): Promise<{ open: number[]; closed: number[] }> {
  if (!deps.guest) return { open: [], closed: [...endpoint.ports] };
  const host = await deps.guest.probeHost({ ...vm, address: endpoint.privateAddress });
  const open = await probeTcpPorts(host, endpoint.ports);
  await recordPublicEndpointProbe(deps.db, endpoint.id, open, new Date());
  return { open, closed: endpoint.ports.filter((p) => !open.includes(p)).sort((a, b) => a - b) };
}
