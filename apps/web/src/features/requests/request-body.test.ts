import { ZSubmitRequestBody, DEFAULT_CUSTOM_SIZE_BOUNDS } from '@betang/core';
import { boundsErrors, parsePorts, toRequestBody, type RequestFormValues } from './request-body';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl budi@laptop';
const VALUES: RequestFormValues = {
  applicationId: '00000000-0000-4000-8000-000000000003',
  hostname: ' sipd-web-01 ',
  templateId: 'debian-12',
  size: 'medium',
  custom: { cores: '2', memoryGiB: '4', diskGiB: '40' },
  sshPublicKeys: [KEY],
  purpose: 'Server web aplikasi SIPD',
  publicAccess: true,
  ports: '80, 443',
  contact: { name: 'Budi', nip: '198703152010011002', phone: '0812-5000-1234', email: 'budi@biro.kalteng.go.id' },
};

describe('toRequestBody', () => {
  it('should build a body the API contract accepts, with a preset or a custom size but never both', () => {
    expect(ZSubmitRequestBody.safeParse(toRequestBody(VALUES)).success).toBe(true);
    const custom = toRequestBody({ ...VALUES, size: 'custom' });
    expect(custom).toMatchObject({ resources: { cores: 2, memoryMiB: 4096, diskGiB: 40 } });
    expect(custom).not.toHaveProperty('presetId');
    expect(ZSubmitRequestBody.safeParse(custom).success).toBe(true);
  });

  it('should let the contract name bad ports and hostile input instead of dropping them', () => {
    expect(parsePorts('80, 443;8080 ')).toEqual([80, 443, 8080]);
    expect(parsePorts('80, http')[1]).toBeNaN();
    const result = ZSubmitRequestBody.safeParse(
      toRequestBody({ ...VALUES, ports: '80 80', hostname: 'Web;rm -rf', sshPublicKeys: [`${KEY}\n${KEY}`] }),
    );
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['hostname', 'sshPublicKeys.0', 'network.ports.1']));
  });
});

describe('boundsErrors', () => {
  it('should flag custom sizes outside the operators bounds only', () => {
    const message = (min: number, max: number) => `${min}-${max}`;
    expect(boundsErrors({ cores: 20, memoryMiB: 4096, diskGiB: 5 }, DEFAULT_CUSTOM_SIZE_BOUNDS, message)).toEqual({
      'resources.cores': '1-8',
      'resources.diskGiB': '20-500',
    });
    expect(boundsErrors({ cores: 2, memoryMiB: 4096, diskGiB: 40 }, DEFAULT_CUSTOM_SIZE_BOUNDS, message)).toEqual({});
  });
});
