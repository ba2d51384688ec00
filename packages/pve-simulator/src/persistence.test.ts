import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSimulator } from './simulator';
import { simApi } from './testing/sim-test-kit';

describe('state file: the cluster survives a restart of the simulator', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'betang-sim-state-'));
  const stateFile = path.join(dir, 'cluster.json');

  it('should bring back cloned VMs with their config, pool and power state, agent answering at once', async () => {
    const first = await startSimulator({ timeFactor: 0, seed: 7, stateFile });
    expect(first.restored).toEqual({ vms: 0, skipped: [] });
    const api = simApi(first);
    const clone = await api.post('/nodes/pve1/qemu/9001/clone', {
      newid: 4321,
      name: 'vps-tetap',
      full: 1,
      storage: 'ceph',
      pool: 'customers',
      target: 'pve2',
    });
    expect((await api.waitTask(String(clone.body?.data))).exitstatus).toBe('OK');
    const configure = await api.post('/nodes/pve2/qemu/4321/config', { cores: 3, agent: 1, description: 'betang-run=r-1' });
    expect((await api.waitTask(String(configure.body?.data))).exitstatus).toBe('OK');
    expect((await api.waitTask(String((await api.post('/nodes/pve2/qemu/4321/status/start', {})).body?.data))).exitstatus).toBe('OK');
    const keyBefore = (await api.get('/nodes/pve2/qemu/4321/config')).body?.data as Record<string, unknown>;
    await first.close();

    const second = await startSimulator({ timeFactor: 0, seed: 99, stateFile });
    try {
      expect(second.restored.vms).toBeGreaterThanOrEqual(2);
      expect(second.state.vm(4321)).toMatchObject({ node: 'pve2', pool: 'customers', status: 'running' });
      const again = simApi(second);
      const config = (await again.get('/nodes/pve2/qemu/4321/config')).body?.data as Record<string, unknown>;
      expect(config).toMatchObject({
        cores: keyBefore.cores,
        description: 'betang-run=r-1',
        net0: keyBefore.net0,
        smbios1: keyBefore.smbios1,
      });
      const agent = await again.get('/nodes/pve2/qemu/4321/agent/network-get-interfaces');
      expect(agent.status).toBe(200);
      // the template is still there and still a template
      expect(second.state.vm(9001)).toMatchObject({ template: true });
    } finally {
      await second.close();
    }
  });

  it('should refuse a file that is not a saved cluster instead of starting from half of it', async () => {
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ version: 2, vms: 'nope' }));
    await expect(startSimulator({ timeFactor: 0, stateFile: broken })).rejects.toThrow(/not a saved simulator cluster/);
    expect(JSON.parse(readFileSync(broken, 'utf8')).version).toBe(2);
  });
});
