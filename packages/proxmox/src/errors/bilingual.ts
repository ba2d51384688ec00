/** A message people may read: Bahasa Indonesia first, English second. */
export type BilingualText = { id: string; en: string };
