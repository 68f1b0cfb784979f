/**
 * Per-platform caption rules, counted as each platform counts:
 * - Instagram: 2,200 characters, counted in Unicode code points (an emoji such as 😀 is one, a flag
 *   or a ZWJ family is several: the closest public measure to Instagram's own counter, and never
 *   lower than it for the graphemes we keep), at most 30 hashtags (the first 30 are kept).
 * - Telegram: 1,024 for a photo caption, in UTF-16 code units (as the Bot API counts).
 * - Email: 240 code points, no hashtags, plain ASCII punctuation (so its ellipsis is "...").
 *
 * When a caption is too long it is cut at a word, ends with the ellipsis (counted), never cuts a
 * hashtag, a surrogate pair or a grapheme cluster, and a trailing block of hashtags is kept: the body
 * is shortened first (`"long text ... #a #b"` -> `"long te… #a #b"`).
 */
export type Platform = "instagram" | "telegram" | "email"

export interface CaptionRule {
  readonly limit: number
  /** Length as the platform counts it; additive over concatenation of well-formed strings. */
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

export const PLATFORM_CAPTION_RULES: Readonly<Record<Platform, CaptionRule>> = {
  instagram: {
    limit: 2200,
    count: codePoints,
    maxHashtags: 30,
    stripHashtags: false,
    plainPunctuation: false,
    ellipsis: "…"
  },
  telegram: {
    limit: 1024,
    count: utf16Units,
    maxHashtags: undefined,
    stripHashtags: false,
    plainPunctuation: false,
    ellipsis: "…"
  },
  email: {
    limit: 240,
    count: codePoints,
    maxHashtags: undefined,
    stripHashtags: true,
    plainPunctuation: true,
    ellipsis: "..."
  }
}

/** Kept for callers that only need the limits. */
export const CAPTION_LIMITS = {
  instagram: PLATFORM_CAPTION_RULES.instagram.limit,
  telegram: PLATFORM_CAPTION_RULES.telegram.limit,
  email: PLATFORM_CAPTION_RULES.email.limit
} as const

const HASHTAG = /#[\p{L}\p{N}\p{M}_]+/gu
const isHashtagToken = (token: string) => /^#[\p{L}\p{N}\p{M}_]+$/u.test(token)
/** Splits into alternating words (even indexes) and whitespace runs (odd indexes). */
const tokens = (text: string) => text.split(/(\s+)/)
const newlines = (text: string) => text.split("\n").length - 1

export const countHashtags = (text: string): number => text.match(HASHTAG)?.length ?? 0

/** Lone surrogates (which no platform accepts) become U+FFFD. */
const wellFormed = (text: string) =>
  text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")

const collapse = (text: string) =>
  text.replace(/[ \t]+/g, " ").replace(/ *\n */g, "\n").replace(/\n{3,}/g, "\n\n").trim()

/**
 * Dashes, quotes, ellipses and exotic spaces as plain ASCII; zero-width characters removed (a ZWJ
 * inside an emoji sequence such as 👩‍👩‍👧 is kept, so the emoji survives); whitespace collapsed.
 */
export const normalisePunctuation = (text: string): string =>
  collapse(
    text
      .replace(/[\u200B\u200C\u2060\uFEFF\u00AD\u180E]/g, "")
      .replace(
        // A pictograph, optionally with its variation selector or skin tone, on each side of the joiner.
        // eslint-disable-next-line no-misleading-character-class
        /(\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]?)?\u200D(?=(\p{Extended_Pictographic})?)/gu,
        (match, before: string | undefined, after: string | undefined) =>
          before !== undefined && after !== undefined ? match : before ?? ""
      )
      .replace(/[\u2028\u2029]/g, "\n")
      .replace(/[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g, " ")
      .replace(/ *[\u2014\u2015] */g, " - ")
      .replace(/[\u2010-\u2013\u2212]/g, "-")
      .replace(/[\u2018\u2019\u201A\u201B\u2032]/g, "'")
      .replace(/[\u201C-\u201F\u2033]/g, "\"")
      .replace(/\u2026/g, "...")
  )

/** Removes every `#word` with the spaces before it (`"Dusk #sea."` -> `"Dusk."`), then collapses whitespace. */
export const stripHashtags = (text: string): string => collapse(text.replace(/[ \t]*#[\p{L}\p{N}\p{M}_]+/gu, ""))

/**
 * Keeps the first `max` hashtags and drops later ones; a word that was only dropped hashtags goes
 * with one of its separators (the one with more line breaks), the rest of the text is untouched.
 */
const capHashtags = (text: string, max: number): string => {
  let seen = 0
  const parts = tokens(text)
  let out = ""
  let sep = ""
  for (let i = 0; i < parts.length; i += 2) {
    const word = parts[i]!.replace(HASHTAG, (tag) => (++seen <= max ? tag : ""))
    if (word !== "") {
      out += (out === "" ? "" : sep) + word
    }
    const next = parts[i + 1] ?? ""
    sep = word === "" && newlines(sep) >= newlines(next) && out !== "" ? sep : next
  }
  return out
}

/** Splits off a trailing block of hashtag words, keeping each one's separator before it. */
const trailingHashtags = (text: string) => {
  const parts = tokens(text)
  let i = parts.length - 1
  while (i >= 0 && isHashtagToken(parts[i]!)) i -= 2
  const tags: Array<{ readonly sep: string; readonly tag: string }> = []
  for (let j = i + 2; j < parts.length; j += 2) tags.push({ sep: parts[j - 1] ?? "", tag: parts[j]! })
  return { body: parts.slice(0, Math.max(i + 1, 0)).join(""), tags }
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" })

/** Cuts one over-long word at a grapheme boundary, backing off so no hashtag inside it is cut. */
const cutWord = (word: string, budget: number, count: (s: string) => number): string => {
  let used = 0
  let end = 0
  for (const { segment } of graphemes.segment(word)) {
    used += count(segment)
    if (used > budget) break
    end += segment.length
  }
  for (const match of word.matchAll(HASHTAG)) {
    if (match.index < end && match.index + match[0].length > end) return word.slice(0, match.index)
  }
  return word.slice(0, end)
}

/** The longest run of whole words from the start of `parts` that counts at most `budget`. */
const wholeWordsWithin = (parts: ReadonlyArray<string>, budget: number, count: (s: string) => number): string => {
  let used = 0
  let end = 0
  for (let i = 0; i < parts.length; i += 2) {
    used += count(parts[i]!)
    if (used > budget) break
    end = i + 1
    used += count(parts[i + 1] ?? "")
  }
  return parts.slice(0, end).join("")
}

/** Punctuation that reads badly just before an ellipsis. */
const dangling = /[\s,;:\-\u2013\u2014]+$/u

/** Fits `text` (well-formed, trimmed) into the rule's limit. */
const fit = (text: string, rule: CaptionRule): string => {
  const { count, ellipsis, limit } = rule
  if (count(text) <= limit) return text
  const { body, tags } = trailingHashtags(text)
  // suffix[k]: what the first k trailing hashtags cost, with their separators.
  const suffix = [0]
  for (const { sep, tag } of tags) suffix.push(suffix[suffix.length - 1]! + count(sep) + count(tag))
  const keptTags = (k: number) => tags.slice(0, k).map(({ sep, tag }) => sep + tag).join("")
  const mostTags = (budget: number) => {
    let k = 0
    while (k < tags.length && suffix[k + 1]! <= budget) k++
    return k
  }
  if (body === "") return keptTags(mostTags(limit)).trimStart()

  const parts = tokens(body)
  // As many trailing hashtags as fit beside the first word of the body and the ellipsis.
  const k = mostTags(limit - count(parts[0]!) - count(ellipsis))
  const budget = limit - suffix[k]!
  if (count(parts[0]!) + count(ellipsis) <= budget) {
    if (count(body) <= budget) return body + keptTags(k)
    const cut = wholeWordsWithin(parts, budget - count(ellipsis), count)
    const tidy = cut.replace(dangling, "")
    return (tidy === "" ? cut.trimEnd() : tidy) + ellipsis + keptTags(k)
  }
  // The first word alone is longer than the limit: cut inside it.
  const cut = cutWord(parts[0]!, limit - count(ellipsis), count)
  return cut === "" ? keptTags(mostTags(limit)).trimStart() : cut + ellipsis
}

/** The caption as `platform` must receive it. */
export const formatCaption = (platform: Platform, caption: string): string => {
  const rule = PLATFORM_CAPTION_RULES[platform]
  let text = wellFormed(caption).trim()
  if (rule.plainPunctuation) text = normalisePunctuation(text)
  if (rule.stripHashtags) text = stripHashtags(text)
  if (rule.maxHashtags !== undefined && countHashtags(text) > rule.maxHashtags) {
    text = capHashtags(text, rule.maxHashtags)
  }
  return fit(text, rule)
}

/** Fits `text` into `limit` UTF-16 code units (Telegram's counting), keeping whole words. */
export const fitCaption = (text: string, limit: number): string =>
  fit(wellFormed(text).trim(), { ...PLATFORM_CAPTION_RULES.telegram, limit })

/**
 * The configured hashtags (`CAPTION_HASHTAGS`, publisher_v2's `hashtag_string`) at the end of a
 * caption, each once: a tag already in the caption (any case) is not added again, so applying
 * this twice changes nothing. Words of `hashtags` that are not hashtags are ignored.
 */
export const appendHashtags = (caption: string, hashtags: string): string => {
  const present = new Set((caption.match(HASHTAG) ?? []).map((t) => t.toLowerCase()))
  const added: Array<string> = []
  for (const tag of hashtags.match(HASHTAG) ?? []) {
    if (present.has(tag.toLowerCase())) continue
    present.add(tag.toLowerCase())
    added.push(tag)
  }
  if (added.length === 0) return caption
  const body = caption.trimEnd()
  if (body === "") return added.join(" ")
  // Onto the caption's own trailing block of hashtags, else after a blank line.
  return `${body}${trailingHashtags(body).tags.length > 0 ? " " : "\n\n"}${added.join(" ")}`
}
