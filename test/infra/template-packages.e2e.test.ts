import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * One package list for every guest template (infra/proxmox/template-packages.txt): the production
 * template build and the real-guest image build both read it, it covers the guest steps'
 * preconditions, and the cached image (when built) really contains every package of it.
 */
const ROOT = path.resolve(__dirname, '../..');
const LIST = path.join(ROOT, 'infra/proxmox/template-packages.txt');
const TEMPLATES = path.join(ROOT, 'infra/proxmox/build-templates.sh');
const IMAGE = path.join(ROOT, 'packages/pve-simulator/scripts/build-guest-image.sh');

function listed(): string[] {
  return readFileSync(LIST, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

describe('template package list', () => {
  it('should be read by the production template build and by the real-guest image build', () => {
    expect(readFileSync(TEMPLATES, 'utf8')).toMatch(/template-packages\.txt/);
    expect(readFileSync(TEMPLATES, 'utf8')).toMatch(/virt-customize -a "\$image" --install "\$PACKAGES"/);
    expect(readFileSync(IMAGE, 'utf8')).toMatch(/LIST="\$repo\/infra\/proxmox\/template-packages\.txt"/);
  });

  it('should hold what the agent, cloud-init and every guest step need', () => {
    const packages = listed();
    for (const p of ['cloud-init', 'qemu-guest-agent', 'openssh-server', 'sudo', 'ufw', 'unattended-upgrades', 'tzdata'])
      expect(packages).toContain(p);
    for (const p of packages) expect(p).toMatch(/^[a-z0-9][a-z0-9+.-]+$/);
  });

  it('should be in the cached guest image, when it is built', () => {
    // Same key as build-guest-image.sh: sha256 of the script followed by the list, 16 hex digits.
    const key = createHash('sha256')
      .update(Buffer.concat([readFileSync(IMAGE), readFileSync(LIST)]))
      .digest('hex')
      .slice(0, 16);
    const manifest = path.join(process.env.BETANG_GUEST_IMAGE_CACHE ?? '/var/cache/betang/guest-image', key, 'packages.txt');
    if (!existsSync(manifest)) return; // CI builds the image before the tests (.ci/run)
    const installed = new Set(
      readFileSync(manifest, 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[0]),
    );
    expect(listed().filter((p) => !installed.has(p))).toEqual([]);
  });
});
