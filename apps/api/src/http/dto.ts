import type { InstitutionDto, UserDto } from '@betang/core';
import type { InstitutionRow, UserRecord } from '@betang/db';

/** A user as the API shows it: never the password hash or TOTP secret. */
export function toUserDto(user: UserRecord): UserDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    nip: user.nip,
    position: user.position,
    phone: user.phone,
    institutionId: user.institutionId,
    roles: user.roles,
    locale: user.locale,
    isActive: user.isActive,
    totpEnabled: user.totpSecret !== null,
    createdAt: user.createdAt.toISOString(),
  };
}

/** An institution as the API shows it. */
export function toInstitutionDto(row: InstitutionRow): InstitutionDto {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    address: row.address,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** An ISO string or null. */
export function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
