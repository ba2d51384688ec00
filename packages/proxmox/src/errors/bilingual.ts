/**
 * A message people may read: Bahasa Indonesia first, English second. Structurally the same as
 * core's LocalizedText, which Betang uses everywhere else; declared here because this package
 * imports nothing internal.
 */
export type LocalizedText = { id: string; en: string };
