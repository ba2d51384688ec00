import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseBetangRole, type BetangRole } from '@betang/proxmox';

/** infra/proxmox/betang-role.json in this checkout (the release ships the whole repository). */
export const DEFAULT_ROLE_FILE = resolve(__dirname, '../../../../infra/proxmox/betang-role.json');

/** Reads and validates the role file; throws with the file name when it is missing or malformed. */
export function loadBetangRole(file = DEFAULT_ROLE_FILE): BetangRole {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseBetangRole(raw);
}
