/** A CMS or certificate this verifier will not work on (malformed, or outside VERIFICATION_LIMITS). */
export class CmsError extends Error {}
