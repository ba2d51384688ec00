/* The Debian guest emulation moved to @betang/guest (the launcher's demo uses it too). */
export { emulateDebianGuests as fakeDebianGuests, splitShellWords } from '@betang/guest';
