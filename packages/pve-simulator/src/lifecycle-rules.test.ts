import { createHash } from 'node:crypto';
import { startSimulator } from './simulator';
import type { RunningSimulator } from './simulator';
import { eventually, simApi, type SimApi } from './testing/sim-test-kit';

// Protection and clean shutdown as qemu-server does them (check_protection in destroy_vm and
// update_vm_api; _do_vm_stop's timeout and forceStop).
describe('protection and shutdown', () => {
  let sim: RunningSimulator;
  let api: SimApi;
  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0.01 });
    api = simApi(sim);
  });
  afterAll(async () => sim.close());

  test('a protected VM keeps its disks and cannot be destroyed until the flag is cleared', async () => {
    expect((await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 400, full: 1 })).exitstatus).toBe('OK');
    expect((await api.task('POST', '/nodes/pve1/qemu/400/config', { protection: 1, scsi1: 'ceph:vm-400-disk-9,size=1G' })).exitstatus).toBe(
      'OK',
    );
    const destroy = await api.del('/nodes/pve1/qemu/400', { purge: 1 });
    expect(destroy.status).toBe(500);
    expect(destroy.reason).toBe("can't remove VM 400 - protection mode enabled");
    const dropDisk = await api.put('/nodes/pve1/qemu/400/config', { delete: 'scsi1' });
    expect(dropDisk.reason).toBe("can't remove drive 'scsi1' - protection mode enabled");
    expect(sim.state.vm(400)?.config.scsi1).toBeDefined();
    // the flag itself may be removed, then everything else
    expect((await api.put('/nodes/pve1/qemu/400/config', { delete: 'protection' })).status).toBe(200);
    expect((await api.task('DELETE', '/nodes/pve1/qemu/400', { purge: 1 })).exitstatus).toBe('OK');
    expect(sim.state.vm(400)).toBeUndefined();
  });

  test("cloud-init network config: without a nameserver the PVE host's resolv.conf is copied in (Cloudinit.pm get_dns_conf)", async () => {
    expect((await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 403, full: 1 })).exitstatus).toBe('OK');
    expect(
      (
        await api.task('POST', '/nodes/pve1/qemu/403/config', {
          net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr0',
          ipconfig0: 'ip=10.20.0.5/24,gw=10.20.0.1',
        })
      ).exitstatus,
    ).toBe('OK');
    expect((await api.get('/nodes/pve1/dns')).body?.data).toEqual({ search: 'pve.lan', dns1: '192.168.100.1' });
    const hostCopy = (await api.get('/nodes/pve1/qemu/403/cloudinit/dump', { type: 'network' })).body?.data;
    expect(hostCopy).toBe(
      "version: 1\nconfig:\n    - type: physical\n      name: eth0\n      mac_address: 'bc:24:11:00:00:01'\n      subnets:\n      - type: static\n        address: '10.20.0.5'\n        netmask: '255.255.255.0'\n        gateway: '10.20.0.1'\n" +
        "    - type: nameserver\n      address:\n      - '192.168.100.1'\n      search:\n      - 'pve.lan'\n",
    );
    expect(
      (await api.put('/nodes/pve1/qemu/403/config', { nameserver: '10.20.0.2 10.20.0.3', searchdomain: 'kalteng.go.id' })).status,
    ).toBe(200);
    const own = String((await api.get('/nodes/pve1/qemu/403/cloudinit/dump', { type: 'network' })).body?.data);
    expect(own).toContain(
      "    - type: nameserver\n      address:\n      - '10.20.0.2'\n      - '10.20.0.3'\n      search:\n      - 'kalteng.go.id'\n",
    );
    expect(own).not.toContain('192.168.100.1');
    // user-data and meta-data as the drive gets them: the instance-id hashes user-data + network-config
    const user = String((await api.get('/nodes/pve1/qemu/403/cloudinit/dump', { type: 'user' })).body?.data);
    expect(user).toMatch(/^#cloud-config\nhostname: [^\n]+\nmanage_etc_hosts: true\nfqdn: [^\n]+\.kalteng\.go\.id\n/);
    expect(user).toContain('chpasswd:\n  expire: False\n');
    const meta = String((await api.get('/nodes/pve1/qemu/403/cloudinit/dump', { type: 'meta' })).body?.data);
    expect(meta).toBe(
      `instance-id: ${createHash('sha1')
        .update(user + own)
        .digest('hex')}\n`,
    );
    expect((await api.get('/nodes/pve1/qemu/403/cloudinit/dump', { type: 'vendor' })).status).toBe(400);
  });

  test('shutdown waits for the guest; one that ignores the power button fails the task, or is stopped with forceStop', async () => {
    expect((await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 401, full: 1 })).exitstatus).toBe('OK');
    expect((await api.task('POST', '/nodes/pve1/qemu/401/status/start')).exitstatus).toBe('OK');
    expect((await api.task('POST', '/nodes/pve1/qemu/401/status/shutdown', { timeout: 60 })).exitstatus).toBe('OK');
    expect(sim.state.vm(401)?.status).toBe('stopped');

    expect((await api.task('POST', '/nodes/pve1/qemu/401/status/start')).exitstatus).toBe('OK');
    sim.faults.ignoreShutdown(401);
    expect((await api.task('POST', '/nodes/pve1/qemu/401/status/shutdown', { timeout: 30 })).exitstatus).toBe(
      'VM quit/powerdown failed - got timeout',
    );
    expect(sim.state.vm(401)?.status).toBe('running');
    expect((await api.task('POST', '/nodes/pve1/qemu/401/status/reboot', { timeout: 30 })).exitstatus).toBe(
      'VM quit/powerdown failed - got timeout',
    );
    const forced = await api.post('/nodes/pve1/qemu/401/status/shutdown', { timeout: 30, forceStop: 1 });
    const upid = String(forced.body?.data);
    expect((await api.waitTask(upid)).exitstatus).toBe('WARNINGS: 1');
    const log = (await api.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/log`)).body?.data as Array<{ t: string }>;
    expect(log.map((l) => l.t)).toContain('WARN: VM still running - terminating now with SIGTERM');
    expect(sim.state.vm(401)?.status).toBe('stopped');
    sim.faults.reset();
  });

  test('an HA-managed VM: stop is only a request to the HA stack, destroy needs purge and the VM stopped', async () => {
    // slower clock: an HA round (10 s) takes 1 s here, time enough to look while the VM still runs
    const sim = await startSimulator({ timeFactor: 0.1 });
    const api = simApi(sim);
    try {
      expect((await api.task('POST', '/nodes/pve1/qemu/9000/clone', { newid: 402, full: 1, target: 'pve2' })).exitstatus).toBe('OK');
      expect((await api.post('/cluster/ha/resources', { sid: 'vm:402', state: 'started' })).status).toBe(200);
      expect((await api.post('/cluster/ha/resources', { sid: '402' })).reason).toBe("resource ID 'vm:402' already defined");
      expect((await api.post('/cluster/ha/resources', { sid: 'vm:499' })).reason).toBe("resource 'vm:499' does not exist in cluster");
      // the LRM starts it a round later
      await eventually(async () => sim.state.vm(402)?.status === 'running', 15_000);
      const status = (await api.get('/nodes/pve2/qemu/402/status/current')).body?.data as { ha: unknown };
      expect(status.ha).toEqual({ managed: 1, state: 'started' });

      const stop = await api.post('/nodes/pve2/qemu/402/status/stop');
      const upid = String(stop.body?.data);
      expect(upid).toContain(':hastop:402:');
      expect((await api.waitTask(upid)).exitstatus).toBe('OK');
      const log = (await api.get(`/nodes/pve2/tasks/${encodeURIComponent(upid)}/log`)).body?.data as Array<{ t: string }>;
      expect(log[0]?.t).toBe('Requesting HA stop for VM 402');
      // the task is done, the VM still runs: destroying it now fails as on a real cluster
      expect(sim.state.vm(402)?.status).toBe('running');
      expect((await api.del('/nodes/pve2/qemu/402', { purge: 1 })).reason).toBe('VM 402 is running - destroy failed');
      await eventually(async () => sim.state.vm(402)?.status === 'stopped', 15_000);
      expect(((await api.get('/nodes/pve2/qemu/402/status/current')).body?.data as { ha: unknown }).ha).toEqual({
        managed: 1,
        state: 'stopped',
      });

      expect((await api.del('/nodes/pve2/qemu/402')).reason).toBe(
        'unable to remove VM 402 - used in HA resources and purge parameter not set.',
      );
      const destroy = await api.del('/nodes/pve2/qemu/402', { purge: 1 });
      expect((await api.waitTask(String(destroy.body?.data))).exitstatus).toBe('OK');
      const dlog = (await api.get(`/nodes/pve2/tasks/${encodeURIComponent(String(destroy.body?.data))}/log`)).body?.data as Array<{
        t: string;
      }>;
      expect(dlog.map((l) => l.t)).toContain('NOTE: removed VM 402 from HA resource configuration.');
      expect((await api.get('/cluster/ha/resources')).body?.data).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});
