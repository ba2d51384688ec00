/** Who acts and from where, as written into every audit entry of a use case. */
export type AuditMeta = {
  actorUserId: string | null;
  actorLabel: string;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
};
