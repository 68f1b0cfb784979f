/**
 * Caption limits per platform, counted as each platform counts: Telegram counts UTF-16 code
 * units (as JavaScript's `length` does).
 */
export const CAPTION_LIMITS = {
  telegram: 1024
} as const

const ELLIPSIS = "…"

/** Cutting at `index` would split a surrogate pair. */
const splitsPair = (text: string, index: number): boolean => {
  const code = text.charCodeAt(index - 1)
  return code >= 0xd800 && code <= 0xdbff
}

/**
 * Fits `text` into `limit` UTF-16 code units: unchanged when it fits; otherwise cut at the last
 * whole word that leaves room for an ellipsis, never inside a surrogate pair.
 */
export const fitCaption = (text: string, limit: number): string => {
  const trimmed = text.trim()
  if (trimmed.length <= limit) return trimmed
  if (limit <= ELLIPSIS.length) return ""
  let cut = limit - ELLIPSIS.length
  if (splitsPair(trimmed, cut)) cut -= 1
  const space = trimmed.lastIndexOf(" ", cut)
  const end = space > cut / 2 ? space : cut
  return trimmed.slice(0, end).trimEnd() + ELLIPSIS
}
