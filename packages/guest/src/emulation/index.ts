// Emulated Debian guests: the launcher's demo mode and the tests use them; the worker never does.
// A separate entry (`@betang/guest/emulation`) so the production entry cannot reach them.
export {
  emulateDebianGuests,
  guestCommandArgvs,
  guestSpecFromVmConfig,
  bootDiskBytes,
  splitShellWords,
  cloudInitHosts,
  EMULATED_UPGRADABLE,
  type EmulatedGuestInput,
  type EmulatedCommandResult,
} from './debian-guest-emulation';
