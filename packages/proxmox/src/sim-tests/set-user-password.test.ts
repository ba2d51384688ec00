import type { RunningSimulator } from '@betang/pve-simulator';
import { startSimulator } from '@betang/pve-simulator';
import { createPveClient } from '../client/pve-client';
import type { PveClient } from '../client/pve-client';

jest.setTimeout(30_000);

describe('vm.agent.setUserPassword against the simulator', () => {
  let sim: RunningSimulator;
  let pve: PveClient;
  beforeAll(async () => {
    sim = await startSimulator({ timeFactor: 0.01, guestSsh: false });
    pve = createPveClient({ baseUrl: sim.url, tokenId: sim.tokenId, tokenSecret: sim.tokenSecret, ca: sim.caPem, timeoutMs: 5000 });
    await pve.request('POST', '/nodes/pve1/qemu/9000/clone', { newid: 310, full: 1 });
    for (let i = 0; i < 200 && !sim.state.vm(310); i++) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 200 && sim.state.vm(310)?.config.lock; i++) await new Promise((r) => setTimeout(r, 20));
  });
  afterAll(async () => sim.close());

  test("a stopped VM is refused with PVE's text; a running one accepts the default user, twice", async () => {
    const vm = pve.vm('pve1', 310);
    await expect(vm.agent.setUserPassword('debian', 'sandi-konsol-123')).rejects.toThrow(/not running/);
    await vm.start({ deadlineMs: 10_000 });
    for (let i = 0; i < 300; i++) {
      const ok = await vm.agent.setUserPassword('debian', 'sandi-konsol-123').then(
        () => true,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await expect(vm.agent.setUserPassword('debian', 'sandi-konsol-123')).resolves.toBeUndefined();
    await expect(vm.agent.setUserPassword('tidak-ada', 'sandi-konsol-123')).rejects.toThrow(/failed to set user password/);
  });
});
