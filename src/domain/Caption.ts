/**
 * Per-platform caption rules, counted as each platform counts:
 * - Instagram: 2,200 characters (Unicode code points), at most 30 hashtags.
 * - Telegram: 1,024 for a photo caption, in UTF-16 code units (as the Bot API counts).
 * - Email: 240 characters (code points), no hashtags, plain punctuation.
 */
export type Platform = "instagram" | "telegram" | "email"

interface Rule {
  readonly limit: number
  readonly count: (text: string) => number
  readonly maxHashtags: number | undefined
  readonly stripHashtags: boolean
  readonly plainPunctuation: boolean
  readonly ellipsis: string
}

const codePoints = (text: string): number => {
  let n = 0
  for (const _ of text) n++
  return n
}
const utf16Units = (text: string): number => text.length

export const PLATFORM_CAPTION_RULES: Readonly<Record<Platform, Rule>> = {
  instagram: { limit: 2200, count: codePoints, maxHashtags: 30, stripHashtags: false, plainPunctuation: false, ellipsis: "…" },
  telegram: { limit: 1024, count: utf16Units, maxHashtags: undefined, stripHashtags: false, plainPunctuation: false, ellipsis: "…" },
  email: { limit: 240, count: codePoints, maxHashtags: undefined, stripHashtags: true, plainPunctuation: true, ellipsis: "..." }
}

/** Kept for callers that only need the limits. */
export const CAPTION_LIMITS = {
  instagram: PLATFORM_CAPTION_RULES.instagram.limit,
  telegram: PLATFORM_CAPTION_RULES.telegram.limit,
  email: PLATFORM_CAPTION_RULES.email.limit
} as const

const HASHTAG = /#[\p{L}\p{N}\p{M}_]+/gu
const isHashtagToken = (token: string) => /^#[\p{L}\p{N}\p{M}_]+$/u.test(token)

export const countHashtags = (text: string): number => text.match(HASHTAG)?.length ?? 0

const collapse = (text: string) => text.replace(/[ \t]+/g, " ").replace(/ *\n */g, "\n").replace(/\n{3,}/g, "\n\n").trim()

/** Dashes, quotes, ellipses and exotic spaces as plain ASCII; zero-width characters removed. */
export const normalisePunctuation = (text: string): string =>
  collapse(
    text
      .replace(/[\u200B\u200C\u200D\u2060\uFEFF]/g, "")
      .replace(/[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g, " ")
      .replace(/\s*\u2014\s*/g, " - ")
      .replace(/[\u2013\u2012\u2011\u2010\u2212]/g, "-")
      .replace(/[\u2018\u2019\u201A\u201B\u2032]/g, "'")
      .replace(/[\u201C\u201D\u201E\u201F\u2033]/g, "\"")
      .replace(/\u2026/g, "...")
  )

export const stripHashtags = (text: string): string => collapse(text.replace(HASHTAG, ""))

/** Keeps the first `max` hashtags, dropping later ones. */
const capHashtags = (text: string, max: number): string => {
  let seen = 0
  return collapse(text.replace(HASHTAG, (tag) => (++seen <= max ? tag : "")))
}

/** Splits off a trailing block of hashtags: `"text #a #b"` -> `["text", ["#a", "#b"]]`. */
const trailingHashtags = (text: string): readonly [string, ReadonlyArray<string>] => {
  const tokens = text.split(/(\s+)/)
  let i = tokens.length
  while (i > 0) {
    const token = tokens[i - 1]!
    if (token.trim() === "" || isHashtagToken(token)) i--
    else break
  }
  const tags = tokens.slice(i).filter(isHashtagToken)
  return [tokens.slice(0, i).join("").trimEnd(), tags]
}

/**
 * The longest prefix of `text` made of whole whitespace-separated tokens that counts at most
 * `budget`; a single over-long first word is cut at a code point boundary unless it is a hashtag.
 */
const prefixWithin = (text: string, budget: number, count: (s: string) => number): string => {
  if (budget <= 0) return ""
  const tokens = text.split(/(\s+)/)
  let out = ""
  for (const token of tokens) {
    if (count(out + token) > budget) break
    out += token
  }
  out = out.trimEnd()
  if (out === "" && tokens[0] !== undefined && !tokens[0].startsWith("#")) {
    for (const char of tokens[0]) {
      if (count(out + char) > budget) break
      out += char
    }
  }
  return out
}

/** Fits `text` into `limit` by `count`: body cut at a word, trailing hashtags kept where they fit. */
const fit = (text: string, rule: Rule): string => {
  if (rule.count(text) <= rule.limit) return text
  const [body, tags] = trailingHashtags(text)
  if (body === "") {
    // Only hashtags: as many whole ones as fit.
    return prefixWithin(tags.join(" "), rule.limit, rule.count)
  }
  for (let keep = tags.length; keep >= 0; keep--) {
    const suffix = keep > 0 ? " " + tags.slice(0, keep).join(" ") : ""
    const budget = rule.limit - rule.count(rule.ellipsis) - rule.count(suffix)
    const cut = prefixWithin(body, budget, rule.count)
    // Keep hashtags only while some body text survives beside them.
    if (cut !== "" || keep === 0) {
      const head = cut === "" ? "" : cut + rule.ellipsis
      const result = (head + suffix).trim()
      if (rule.count(result) <= rule.limit) return result
    }
  }
  return ""
}

/** The caption as `platform` must receive it. */
export const formatCaption = (platform: Platform, caption: string): string => {
  const rule = PLATFORM_CAPTION_RULES[platform]
  let text = caption.trim()
  if (rule.plainPunctuation) text = normalisePunctuation(text)
  if (rule.stripHashtags) text = stripHashtags(text)
  if (rule.maxHashtags !== undefined && countHashtags(text) > rule.maxHashtags) text = capHashtags(text, rule.maxHashtags)
  return fit(text, rule)
}

/** Fits `text` into `limit` UTF-16 code units (Telegram's counting), keeping whole words. */
export const fitCaption = (text: string, limit: number): string =>
  fit(text.trim(), { ...PLATFORM_CAPTION_RULES.telegram, limit })
