import { bilingualDetail } from '@betang/core';
import { allocatePublicEndpoint, releasePublicEndpoint } from '@betang/db';
import { permanent } from '../../harness/run-error';
import { syncEdge } from '../../public-endpoints/edge';
import { probeEndpoint } from '../../public-endpoints/publish-endpoint';
import { provisionStep } from '../provision-context';
import { cloneStep } from './clone.step';
import { reserveStep } from './reserve.step';

type PublicEndpointResult = { publicAddress: string; openPorts: number[] } | null;

/**
 * `public-endpoint`: for a request reachable from the internet, a public address from the
 * office's pool mapped 1:1 to the VM's private address for its declared ports, published to the
 * edge, then the ports probed (see probeEndpoint for what "open" means; a port nobody listens on
 * yet does not fail the run). Skipped for an internal-only request. Safe to run twice: the
 * request's held endpoint is reused (allocatePublicEndpoint) and the edge is rewritten whole.
 * Undone by releasing the endpoint and publishing the edge without it.
 */
export const publicEndpointStep = provisionStep<PublicEndpointResult>({
  key: 'public-endpoint',
  weight: 2,
  label: { id: 'alamat publik internet', en: 'public internet address' },
  async run({ ctx, output }) {
    const { request } = ctx.data;
    if (!request.publicAccess)
      return { skipped: true, result: null, detail: bilingualDetail({ id: 'hanya jaringan internal', en: 'internal network only' }) };
    const publicEndpoints = ctx.deps.publicEndpoints;
    if (!publicEndpoints)
      throw permanent('PUBLIC_ACCESS_UNCONFIGURED', {
        id: 'Permohonan meminta akses internet, tetapi kantor belum mengatur alamat publik (PUBLIC_NAT_ADDRESSES) pada worker.',
        en: 'The request asks for internet access, but the office has not configured public addresses (PUBLIC_NAT_ADDRESSES) on the worker.',
      });
    const { vmId, lease } = output(reserveStep);
    const { vmid, node } = output(cloneStep);
    const endpoint = await ctx.deps.db.transaction().execute((tx) =>
      allocatePublicEndpoint(tx, {
        requestId: request.id,
        vmId,
        privateAddress: lease.address,
        ports: request.ports,
        pool: publicEndpoints.pool,
      }),
    );
    if (!endpoint)
      throw permanent(
        'PUBLIC_POOL_EXHAUSTED',
        {
          id: 'Semua alamat publik sudah terpakai. Tambah alamat pada PUBLIC_NAT_ADDRESSES atau lepaskan VM yang tidak dipakai, lalu ulangi.',
          en: 'Every public address is in use. Add addresses to PUBLIC_NAT_ADDRESSES or release unused VMs, then retry.',
        },
        { node, vmid },
      );
    await syncEdge(ctx.deps.db, publicEndpoints.edge);
    const { open, closed } = await probeEndpoint(ctx.deps, endpoint, { vmid, node });
    const list = (ports: number[]) => (ports.length > 0 ? ports.join(', ') : '—');
    return {
      result: { publicAddress: endpoint.publicAddress, openPorts: open },
      detail: bilingualDetail({
        id: `${endpoint.publicAddress} → ${endpoint.privateAddress}; port terbuka: ${list(open)}; belum menjawab: ${list(closed)}`,
        en: `${endpoint.publicAddress} → ${endpoint.privateAddress}; open ports: ${list(open)}; not answering yet: ${list(closed)}`,
      }),
    };
  },
  async compensate({ env, run }) {
    const released = await releasePublicEndpoint(env.db, run.requestId, `run ${run.id} failed`);
    if (env.publicEndpoints) await syncEdge(env.db, env.publicEndpoints.edge);
    return {
      undone: true,
      result: { released },
      detail: bilingualDetail({ id: 'alamat publik dilepas', en: 'public address released' }),
    };
  },
});
