import type { LocalizedText } from '../i18n';

/**
 * What each audit action means, in words people read (the audit log, step notes, e-mails). The
 * action codes stay in the database and the API; screens show these names instead. A test scans
 * the sources for every action written to the audit log and fails when one has no name here.
 */
export const AUDIT_ACTION_NAMES = {
  'agreement.created': { id: 'Perjanjian dibuat', en: 'Agreement created' },
  'agreement.expired': { id: 'Perjanjian berakhir', en: 'Agreement expired' },
  'agreement.revoked': { id: 'Perjanjian dicabut', en: 'Agreement revoked' },
  'agreement.signed': { id: 'Perjanjian ditandatangani', en: 'Agreement signed' },
  'agreement.sign_failed': { id: 'Penandatanganan ditolak (autentikasi ulang gagal)', en: 'Signing refused (re-authentication failed)' },
  'agreement.signed_document_accepted': { id: 'Dokumen bertanda tangan diterima', en: 'Signed document accepted' },
  'agreement.signed_document_attached': { id: 'Dokumen bertanda tangan dilampirkan', en: 'Signed document attached' },
  'agreement.signed_document_discarded': { id: 'Dokumen bertanda tangan dibuang', en: 'Signed document discarded' },
  'agreement.signed_document_pending': { id: 'Dokumen bertanda tangan menunggu pemeriksaan', en: 'Signed document awaiting checks' },
  'api_token.created': { id: 'Token API dibuat', en: 'API token created' },
  'api_token.revoked': { id: 'Token API dicabut', en: 'API token revoked' },
  'application.created': { id: 'Aplikasi ditambahkan', en: 'Application added' },
  'application.deleted': { id: 'Aplikasi dihapus', en: 'Application deleted' },
  'application.updated': { id: 'Aplikasi diubah', en: 'Application changed' },
  'approval.reevaluated': { id: 'Persetujuan dinilai ulang setelah aturan berubah', en: 'Approvals re-evaluated after a policy change' },
  'auth.login_failed': { id: 'Gagal masuk', en: 'Sign-in failed' },
  'auth.login_succeeded': { id: 'Masuk', en: 'Signed in' },
  'auth.logout': { id: 'Keluar', en: 'Signed out' },
  'auth.password_reset_failed': { id: 'Atur ulang kata sandi ditolak', en: 'Password reset refused' },
  'auth.password_reset_requested': { id: 'Atur ulang kata sandi diminta', en: 'Password reset requested' },
  'auth.reauth_failed': { id: 'Masuk ulang melalui SSO ditolak', en: 'Signing in again through SSO refused' },
  'auth.reauthenticated': { id: 'Masuk ulang melalui SSO', en: 'Signed in again through SSO' },
  'auth.sso_failed': { id: 'Masuk dengan SSO ditolak', en: 'Single sign-on refused' },
  'auth.sso_linked': { id: 'Identitas SSO ditautkan ke akun yang cocok', en: 'SSO identity linked to the matching account' },
  'auth.sso_pending': {
    id: 'Identitas SSO baru menunggu ditautkan oleh admin',
    en: 'New SSO identity waiting for an administrator to link it',
  },
  'catalog.preset_saved': { id: 'Paket ukuran disimpan', en: 'Size package saved' },
  'catalog.template_copies_saved': { id: 'Salinan templat per node disimpan', en: 'Template copies per node saved' },
  'catalog.template_saved': { id: 'Templat disimpan', en: 'Template saved' },
  'console.session_started': { id: 'Konsol VM dibuka', en: 'VM console opened' },
  'console.session_ended': { id: 'Konsol VM ditutup', en: 'VM console closed' },
  'institution.created': { id: 'Perangkat daerah ditambahkan', en: 'Institution added' },
  'institution.updated': { id: 'Perangkat daerah diubah', en: 'Institution changed' },
  'ip_pool.created': { id: 'Rentang alamat IP ditambahkan', en: 'IP address pool added' },
  'provisioning_run.succeeded': { id: 'Proses selesai', en: 'Process finished' },
  'quota.updated': { id: 'Kuota diubah', en: 'Quota changed' },
  'reconciliation.finding_dismissed': { id: 'Temuan pencocokan diabaikan', en: 'Reconciliation finding dismissed' },
  'settings.updated': { id: 'Pengaturan diubah', en: 'Settings changed' },
  'sso.identity_assigned': { id: 'Identitas SSO ditautkan oleh admin', en: 'SSO identity linked by an administrator' },
  'system.demo_seeded': { id: 'Data contoh dimuat', en: 'Demo data loaded' },
  'user.created': { id: 'Pengguna ditambahkan', en: 'User added' },
  'user.deactivated': { id: 'Pengguna dinonaktifkan', en: 'User deactivated' },
  'user.reactivated': { id: 'Pengguna diaktifkan kembali', en: 'User reactivated' },
  'user.updated': { id: 'Pengguna diubah', en: 'User changed' },
  'user.unlocked': { id: 'Akun dibuka kuncinya', en: 'Account unlocked' },
  'user.password_changed': { id: 'Kata sandi diganti', en: 'Password changed' },
  'user.password_change_failed': {
    id: 'Ganti kata sandi ditolak (kata sandi lama salah)',
    en: 'Password change refused (wrong current password)',
  },
  'user.password_reset': { id: 'Kata sandi diatur ulang', en: 'Password reset' },
  'user.totp_enabled': { id: 'Verifikasi dua langkah diaktifkan', en: 'Two-step verification turned on' },
  'user.totp_enable_failed': { id: 'Aktivasi verifikasi dua langkah ditolak', en: 'Turning on two-step verification refused' },
  'user.totp_changed': { id: 'Verifikasi dua langkah diganti', en: 'Two-step verification replaced' },
  'user.totp_change_failed': { id: 'Penggantian verifikasi dua langkah ditolak', en: 'Replacing two-step verification refused' },
  'user.totp_disabled': { id: 'Verifikasi dua langkah dimatikan', en: 'Two-step verification turned off' },
  'user.totp_disable_failed': { id: 'Mematikan verifikasi dua langkah ditolak', en: 'Turning off two-step verification refused' },
  'user.totp_reset': { id: 'Verifikasi dua langkah diatur ulang', en: 'Two-step verification reset' },
  'vm.reserved': { id: 'Nomor VM dan alamat IP dipesan', en: 'VM number and IP address reserved' },
  'vm.cloned': { id: 'VM disalin dari templat', en: 'VM copied from the template' },
  'vm.provisioned': { id: 'VPS siap dipakai', en: 'VPS ready' },
  'vm.provision_failed': { id: 'Penyiapan VPS gagal', en: 'VPS preparation failed' },
  'vm.cleaned_up': { id: 'Sisa penyiapan dibersihkan', en: 'Leftovers of a preparation cleaned up' },
  'vm.start_requested': { id: 'Menyalakan VM diminta', en: 'Start of the VM requested' },
  'vm.stop_requested': { id: 'Mematikan paksa VM diminta', en: 'Forced stop of the VM requested' },
  'vm.shutdown_requested': { id: 'Mematikan VM diminta', en: 'Shutdown of the VM requested' },
  'vm.reboot_requested': { id: 'Memulai ulang VM diminta', en: 'Restart of the VM requested' },
  'vm.started': { id: 'VM dinyalakan', en: 'VM started' },
  'vm.console_password_requested': { id: 'Pengaturan sandi konsol diminta', en: 'Console password change requested' },
  'vm.console_password_set': { id: 'Sandi konsol diatur', en: 'Console password set' },
  'vm.console_password_failed': {
    id: 'Konfirmasi sandi untuk sandi konsol gagal',
    en: 'Re-authentication for the console password failed',
  },
  'vm.stopped': { id: 'VM dimatikan paksa', en: 'VM stopped' },
  'vm.shut_down': { id: 'VM dimatikan', en: 'VM shut down' },
  'vm.rebooted': { id: 'VM dimulai ulang', en: 'VM restarted' },
  'vm.action_failed': { id: 'Tindakan pada VM gagal', en: 'VM action failed' },
  'vm.resize_requested': { id: 'Perubahan ukuran diajukan', en: 'Size change requested' },
  'vm.resize_level_approved': { id: 'Perubahan ukuran disetujui pada satu tingkat', en: 'Size change approved at one level' },
  'vm.resize_approved': { id: 'Perubahan ukuran disetujui', en: 'Size change approved' },
  'vm.resize_rejected': { id: 'Perubahan ukuran ditolak', en: 'Size change rejected' },
  'vm.resize_cancelled': { id: 'Perubahan ukuran dibatalkan', en: 'Size change cancelled' },
  'vm.resized': { id: 'Ukuran VM diubah', en: 'VM resized' },
  'vm.decommission_requested': { id: 'Penghapusan VM diajukan', en: 'VM removal requested' },
  'vm.decommission_approved': { id: 'Penghapusan VM disetujui', en: 'VM removal approved' },
  'vm.decommission_rejected': { id: 'Penghapusan VM ditolak', en: 'VM removal rejected' },
  'vm.grace_ended': { id: 'Masa tenggang VM berakhir', en: 'VM grace period ended' },
  'vm.restored': { id: 'VM dipulihkan', en: 'VM restored' },
  'vm.retained': { id: 'VM disimpan untuk diperiksa', en: 'VM kept for inspection' },
  'vm.decommissioned': { id: 'VM dihapus', en: 'VM removed' },
  'vm.ssh_keys_requested': { id: 'Penggantian kunci SSH diminta', en: 'Replacement of the SSH keys requested' },
  'vm.ssh_keys_failed': {
    id: 'Penggantian kunci SSH ditolak (kata sandi atau kode salah)',
    en: 'Replacing the SSH keys refused (wrong password or code)',
  },
  'vm.ssh_keys_replaced': { id: 'Kunci SSH diganti', en: 'SSH keys replaced' },
  'vm.snapshot_requested': { id: 'Pembuatan snapshot diminta', en: 'Snapshot requested' },
  'vm.snapshot_taken': { id: 'Snapshot dibuat', en: 'Snapshot taken' },
  'vm.snapshot_rollback_requested': { id: 'Pengembalian VM ke snapshot diminta', en: 'Return of the VM to a snapshot requested' },
  'vm.snapshot_rolled_back': { id: 'VM dikembalikan ke snapshot', en: 'VM returned to a snapshot' },
  'vm.snapshot_delete_requested': { id: 'Penghapusan snapshot diminta', en: 'Snapshot deletion requested' },
  'vm.snapshot_deleted': { id: 'Snapshot dihapus', en: 'Snapshot deleted' },
  'vm.snapshot_expired': { id: 'Snapshot melewati batas umur, dihapus otomatis', en: 'Snapshot past its age limit, deleted automatically' },
  'vps_request.submitted': { id: 'Permohonan VPS diajukan', en: 'VPS request submitted' },
  'vps_request.level_approved': { id: 'Permohonan disetujui pada satu tingkat', en: 'Request approved at one level' },
  'vps_request.approved': { id: 'Permohonan VPS disetujui', en: 'VPS request approved' },
  'vps_request.rejected': { id: 'Permohonan VPS ditolak', en: 'VPS request rejected' },
  'vps_request.cancelled': { id: 'Permohonan VPS dibatalkan', en: 'VPS request cancelled' },
  'vps_request.provisioning': { id: 'Penyiapan VPS dimulai', en: 'VPS preparation started' },
  'vps_request.retried': { id: 'Penyiapan VPS diulang', en: 'VPS preparation retried' },
  'vps_request.decommissioning': { id: 'Penghapusan VPS dimulai', en: 'VPS removal started' },
  'webhook.created': { id: 'Webhook ditambahkan', en: 'Webhook added' },
  'webhook.updated': { id: 'Webhook diubah', en: 'Webhook changed' },
  'webhook.deleted': { id: 'Webhook dihapus', en: 'Webhook deleted' },
  'webhook.delivery_retried': { id: 'Pengiriman webhook diulang sekarang', en: 'Webhook delivery retried now' },
} as const satisfies Record<string, LocalizedText>;

/** What each audit target type is, in words. */
export const AUDIT_TARGET_NAMES = {
  agreement: { id: 'Perjanjian', en: 'Agreement' },
  api_token: { id: 'Token API', en: 'API token' },
  application: { id: 'Aplikasi', en: 'Application' },
  catalog_template: { id: 'Templat', en: 'Template' },
  institution: { id: 'Perangkat daerah', en: 'Institution' },
  ip_pool: { id: 'Rentang alamat IP', en: 'IP address pool' },
  oidc_identity: { id: 'Identitas SSO', en: 'SSO identity' },
  oidc_issuer: { id: 'Penyedia identitas SSO', en: 'SSO identity provider' },
  provisioning_run: { id: 'Proses penyiapan', en: 'Provisioning process' },
  quota: { id: 'Kuota', en: 'Quota' },
  reconcile_finding: { id: 'Temuan pencocokan', en: 'Reconciliation finding' },
  setting: { id: 'Pengaturan', en: 'Setting' },
  size_preset: { id: 'Paket ukuran', en: 'Size package' },
  system: { id: 'Sistem', en: 'System' },
  user: { id: 'Pengguna', en: 'User' },
  vm: { id: 'VM', en: 'VM' },
  vps_request: { id: 'Permohonan VPS', en: 'VPS request' },
  webhook: { id: 'Webhook', en: 'Webhook' },
} as const satisfies Record<string, LocalizedText>;

export type AuditActionName = keyof typeof AUDIT_ACTION_NAMES;

/**
 * The readable name of an audit action. An action without a name (written by a newer server than
 * this map) is shown as "Tindakan lain" / "Other action" — never as its code.
 */
export function auditActionName(action: string): LocalizedText {
  return (AUDIT_ACTION_NAMES as Record<string, LocalizedText>)[action] ?? { id: 'Tindakan lain', en: 'Other action' };
}

/** The readable name of an audit target type; an unknown type reads "Lainnya" / "Other". */
export function auditTargetName(targetType: string): LocalizedText {
  return (AUDIT_TARGET_NAMES as Record<string, LocalizedText>)[targetType] ?? { id: 'Lainnya', en: 'Other' };
}
