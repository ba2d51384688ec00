/* The Debian guest emulation lives in @betang/guest/emulation (the launcher's demo mode uses it too); the worker's tests know it by this name. */
export { emulateDebianGuests as fakeDebianGuests, splitShellWords } from '@betang/guest/emulation';
