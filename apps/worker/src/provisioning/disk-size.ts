const UNIT: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/**
 * Bytes of a PVE disk size as PVE writes it in a drive's `size=` (`3584M`, `20G`, `1T`,
 * `512K`, or plain bytes): powers of 1024, exactly, never rounded to GiB — a 3584M disk is 3.5 GiB,
 * not 4. Undefined for anything else (a negative, a unit PVE does not write, garbage).
 */
export function parsePveSize(size: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(size.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT[m[2] ?? '']!);
}

/** The `size=` of a drive value (`ceph:vm-1-disk-0,iothread=1,size=3584M`) in bytes; undefined when absent or malformed. */
export function driveSizeBytes(drive: string): number | undefined {
  const m = /(?:^|,)size=([^,]*)(?:,|$)/.exec(drive);
  return m ? parsePveSize(m[1] ?? '') : undefined;
}

/** Bytes as people read a disk size: whole GiB when exact (`20 GiB`), else two decimals (`3.50 GiB`). */
export function formatGiB(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return Number.isInteger(gib) ? `${gib} GiB` : `${gib.toFixed(2)} GiB`;
}
