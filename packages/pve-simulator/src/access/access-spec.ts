/** One ACL line of user.cfg: a role on a path for users and/or API tokens. */
export interface AclSpec {
  path: string;
  roleid: string;
  users?: string[];
  tokens?: string[];
  /** Default true, as `pveum acl modify` (propagate=1). */
  propagate?: boolean;
}

/** Custom roles and ACLs the simulated cluster starts with (user.cfg). */
export interface AccessSpec {
  /** Role name → privileges. Names this flavour does not know are dropped with PVE's warning. */
  roles?: Record<string, string[]>;
  acls?: AclSpec[];
}
