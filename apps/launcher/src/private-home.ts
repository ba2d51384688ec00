import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** The launcher's umask: whatever it or its children create is readable by this user only. */
export const PRIVATE_UMASK = 0o077;

/**
 * Tightens `root` and everything below it to this user only: directories 0700, files (and
 * sockets) 0600. Symbolic links are neither followed nor changed, so a link in the home can not
 * make the launcher change modes elsewhere. Safe to run on every start: an existing home, made
 * by an older launcher or with a loose umask, is fixed the same way as a new one.
 */
export function makeTreePrivate(root: string): void {
  const stat = lstatSync(root, { throwIfNoEntry: false });
  if (!stat || stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    if ((stat.mode & 0o777) !== 0o700) chmodSync(root, 0o700);
    for (const name of readdirSync(root)) makeTreePrivate(path.join(root, name));
  } else if ((stat.mode & 0o777) !== 0o600) chmodSync(root, 0o600);
}

/**
 * Creates the embedded stack's home (database, cluster state, keys, secrets, e-mails) if needed
 * and makes it private to this user (see makeTreePrivate): other local users can neither list
 * nor read it, nor reach the database socket inside it.
 */
export function preparePrivateHome(home: string): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  makeTreePrivate(home);
}
