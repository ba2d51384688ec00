import { createClock } from '../util/clock';
import { FlockTable } from './flock';
import { formatUpid, parseUpid } from './upid';

describe('flock model', () => {
  test('shared holders coexist, exclusive waits, timeouts use PVE wording', async () => {
    const t = new FlockTable(createClock(0.01));
    const a = await t.acquire('/l', 1000, true);
    const b = await t.acquire('/l', 1000, true);
    await expect(t.acquire('/l', 1000)).rejects.toThrow("can't lock file '/l' - got timeout");
    const pending = t.acquire('/l', 100_000);
    a();
    b();
    const c = await pending;
    expect(t.isHeld('/l')).toBe(true);
    c();
    c(); // idempotent
    expect(t.isHeld('/l')).toBe(false);
  });
});

describe('UPID', () => {
  test('round trip with PVE formatting', () => {
    const u = {
      node: 'pve1',
      pid: 3825441,
      pstart: 187469329,
      starttime: 1728225715,
      type: 'qmclone',
      id: '9000',
      user: 'provisioner@pve!worker',
    };
    const s = formatUpid(u);
    expect(s).toBe('UPID:pve1:003A5F21:0B2C8E11:6702A1B3:qmclone:9000:provisioner@pve!worker:');
    expect(parseUpid(s)).toEqual(u);
  });

  test('rejects malformed ids', () => {
    for (const bad of [
      'UPID:pve1:3A5F21:0B2C8E11:6702A1B3:qmclone:9000:u@pam:',
      'UPID:-pve:003A5F21:0B2C8E11:6702A1B3:x::u@pam:',
      'UPID:pve1:003A5F21:0B2C8E11:6702A1B3:qm/clone:9000:u@pam:',
      'UPID:pve1:003A5F21:0B2C8E11:6702A1B3:qmclone:9000:u@pam',
    ]) {
      expect(parseUpid(bad)).toBeUndefined();
    }
    expect(parseUpid('UPID:pve1:003A5F21:0B2C8E11:6702A1B3:vzdump::root@pam:')?.id).toBe('');
  });
});
