import { isUpid, parseUpid, UpidParseError, ZUpid } from './upid';

describe('parseUpid', () => {
  it('should parse the reference example including the token user', () => {
    const u = parseUpid('UPID:pve1:003A5F21:0B2C8E11:6702A1B3:qmclone:9000:provisioner@pve!worker:');
    expect(u).toEqual({
      upid: 'UPID:pve1:003A5F21:0B2C8E11:6702A1B3:qmclone:9000:provisioner@pve!worker:',
      node: 'pve1',
      pid: 3825441,
      pstart: 187469329,
      starttime: 1728225715,
      type: 'qmclone',
      id: '9000',
      user: 'provisioner@pve!worker',
    });
    expect(new Date(u.starttime * 1000).toISOString()).toBe('2024-10-06T14:41:55.000Z');
  });

  it('should accept a 9-digit pstart, an empty id and a hyphenated node', () => {
    const u = parseUpid('UPID:node-a2:0000ABCD:1ABCDEF01:6702A1B3:vzdump::root@pam:');
    expect(u.node).toBe('node-a2');
    expect(u.pstart).toBe(0x1abcdef01);
    expect(u.id).toBe('');
    expect(u.type).toBe('vzdump');
  });

  it.each([
    ['missing trailing colon', 'UPID:pve1:003A5F21:0B2C8E11:6702A1B3:qmclone:9000:root@pam'],
    ['node with slash', 'UPID:pve/../x:003A5F21:0B2C8E11:6702A1B3:qmclone:9000:root@pam:'],
    ['node starting with hyphen', 'UPID:-pve:003A5F21:0B2C8E11:6702A1B3:qmclone:9000:root@pam:'],
    ['short pid', 'UPID:pve1:3A5F21:0B2C8E11:6702A1B3:qmclone:9000:root@pam:'],
    ['non-hex starttime', 'UPID:pve1:003A5F21:0B2C8E11:6702A1BZ:qmclone:9000:root@pam:'],
    ['space in user', 'UPID:pve1:003A5F21:0B2C8E11:6702A1B3:qmclone:9000:root @pam:'],
    ['extra field', 'UPID:pve1:003A5F21:0B2C8E11:6702A1B3:qmclone:9000:root@pam:x:'],
    ['empty', ''],
    ['over-long', `UPID:pve1:003A5F21:0B2C8E11:6702A1B3:qmclone:9000:${'a'.repeat(600)}:`],
  ])('should reject %s', (_label, text) => {
    expect(() => parseUpid(text)).toThrow(UpidParseError);
    expect(isUpid(text)).toBe(false);
  });

  it('should expose a zod schema that parses and rejects', () => {
    expect(ZUpid.parse('UPID:pve2:00000001:00000002:00000003:qmstart:101:root@pam:').node).toBe('pve2');
    expect(ZUpid.safeParse('nope').success).toBe(false);
  });
});
