/** A message people read: Bahasa Indonesia first, English second (same shape as core's LocalizedText). */
export type LocalizedMessage = { id: string; en: string };
