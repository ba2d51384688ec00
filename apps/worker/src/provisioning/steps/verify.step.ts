import { bilingualDetail } from '@betang/core';
import { parseTags } from '@betang/proxmox';
import { permanent } from '../../harness/run-error';
import { provisionStep } from '../provision-context';
import { ipconfig0Value, vmTags } from '../vm-spec';
import { cloneStep } from './clone.step';
import { reserveStep } from './reserve.step';

/**
 * `verify`: reads the VM back and compares it with what was approved (cores, memory, agent,
 * onboot, tags, bridge, address, marker, power state). Read-only, safe to repeat.
 */
export const verifyStep = provisionStep({
  key: 'verify',
  weight: 3,
  label: { id: 'verifikasi', en: 'verify' },
  async run({ ctx, output }) {
    const { vmid, node } = output(cloneStep);
    const { lease } = output(reserveStep);
    const { request } = ctx.data;
    const vm = ctx.pve.vm(node, vmid);
    const [cfg, status] = await Promise.all([vm.config({ current: true }), vm.status()]);
    const problems: string[] = [];
    const expect = (what: string, actual: unknown, wanted: unknown) => {
      if (actual !== wanted) problems.push(`${what}: ${String(actual)} ≠ ${String(wanted)}`);
    };
    expect('cores', cfg.cores, request.cores);
    expect('memory', cfg.memory, request.memoryMiB);
    expect('agent', cfg.agent, true);
    expect('onboot', cfg.onboot, true);
    expect('ipconfig0', cfg.ipconfig0, ipconfig0Value(lease));
    expect('status', status.status, 'running');
    const tags = new Set(parseTags(cfg.tags.join(';')));
    for (const t of vmTags(ctx)) if (!tags.has(t)) problems.push(`tag ${t} hilang/missing`);
    if (!String(cfg.net0 ?? '').includes(`bridge=${lease.bridge}`)) problems.push(`net0 bridge ≠ ${lease.bridge}`);
    if (!(cfg.description ?? '').split('\n').includes(ctx.marker)) problems.push('penanda pemilik hilang / owner marker missing');
    if (problems.length) {
      throw permanent(
        'VERIFY_MISMATCH',
        {
          id: `VM ${vmid} tidak sesuai yang disetujui: ${problems.join('; ')}`,
          en: `VM ${vmid} differs from what was approved: ${problems.join('; ')}`,
        },
        { node, vmid },
      );
    }
    return { detail: bilingualDetail({ id: 'konfigurasi sesuai', en: 'configuration matches' }) };
  },
});
