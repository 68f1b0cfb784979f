import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { countHashtags, formatCaption, normalisePunctuation, type Platform, PLATFORM_CAPTION_RULES } from "../../src/domain/Caption.js"

const HASHTAG = /#[\p{L}\p{N}\p{M}_]+/gu
const hasLoneSurrogate = (s: string) => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)
const TYPOGRAPHIC = /[\u2014\u2013\u2018\u2019\u201C\u201D\u2026\u00A0\u202F\u2009\u200B]/

/** Captions as models write them: words, emoji, typographic punctuation, hashtags. */
const word = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
  fc.constantFrom("—", "–", "“quoted”", "it’s", "…", "\u00A0", "😀", "👩‍👩‍👧", "e\u0301", "#sunset", "#café", "#日本"),
  fc.string({ unit: fc.constantFrom("a", "b", "é", "😀"), minLength: 1, maxLength: 30 }).map((s) => `#${s}`)
)
const caption = fc.array(word, { maxLength: 600, size: "max" }).chain((words) =>
  fc.array(fc.constantFrom(" ", " ", "\n", "  "), { minLength: words.length, maxLength: words.length }).map((seps) =>
    words.map((w, i) => w + seps[i]).join("")
  )
)
const platforms: ReadonlyArray<Platform> = ["instagram", "telegram", "email"]

describe("formatCaption (examples)", () => {
  it("leaves a caption that fits as it is", () => {
    expect(formatCaption("telegram", "Evening light #coast")).toBe("Evening light #coast")
    expect(formatCaption("instagram", "Evening light #coast")).toBe("Evening light #coast")
  })

  it("shortens the body first and keeps the trailing hashtags", () => {
    const text = `${"long words here ".repeat(100)}end #sunset #coast`
    const out = formatCaption("telegram", text)
    expect(out.length).toBeLessThanOrEqual(1024)
    expect(out.endsWith("… #sunset #coast")).toBe(true)
  })

  it("Instagram keeps at most 30 hashtags (the first ones)", () => {
    const tags = Array.from({ length: 40 }, (_, i) => `#t${i}`)
    const out = formatCaption("instagram", `Photo ${tags.join(" ")}`)
    expect(countHashtags(out)).toBe(30)
    expect(out).toContain("#t29")
    expect(out).not.toContain("#t30")
  })

  it("email: no hashtags, plain punctuation, 240 characters, ASCII ellipsis", () => {
    expect(formatCaption("email", "Dawn — “quiet” it’s…\u00A0here #sunrise #calm")).toBe("Dawn - \"quiet\" it's... here")
    const long = formatCaption("email", "word ".repeat(100))
    expect([...long].length).toBeLessThanOrEqual(240)
    expect(long.endsWith("word...")).toBe(true)
  })

  it("normalises en dashes, smart single quotes and zero-width characters", () => {
    expect(normalisePunctuation("1–2 ‘a’\u200B b")).toBe("1-2 'a' b")
  })
})

describe("formatCaption (properties)", () => {
  it("never exceeds the platform's limit, counted as the platform counts", () => {
    fc.assert(fc.property(caption, fc.constantFrom(...platforms), (text, platform) => {
      const rule = PLATFORM_CAPTION_RULES[platform]
      expect(rule.count(formatCaption(platform, text))).toBeLessThanOrEqual(rule.limit)
    }), { numRuns: 300 })
  })

  it("never cuts a hashtag: every hashtag in the output is a whole hashtag of the input", () => {
    fc.assert(fc.property(caption, fc.constantFrom(...platforms), (text, platform) => {
      const inputTags = new Set(text.match(HASHTAG) ?? [])
      for (const tag of formatCaption(platform, text).match(HASHTAG) ?? []) expect(inputTags.has(tag)).toBe(true)
    }), { numRuns: 300 })
  })

  it("never splits a surrogate pair", () => {
    fc.assert(fc.property(caption, fc.constantFrom(...platforms), (text, platform) => {
      expect(hasLoneSurrogate(formatCaption(platform, text))).toBe(false)
    }), { numRuns: 300 })
  })

  it("Instagram: at most 30 hashtags; email: no hashtags and no typographic characters", () => {
    fc.assert(fc.property(caption, (text) => {
      expect(countHashtags(formatCaption("instagram", text))).toBeLessThanOrEqual(30)
      const email = formatCaption("email", text)
      expect(email.match(HASHTAG)).toBeNull()
      expect(TYPOGRAPHIC.test(email)).toBe(false)
    }), { numRuns: 300 })
  })

  it("a Telegram caption that fits comes back unchanged (trimmed)", () => {
    fc.assert(fc.property(caption, (text) => {
      if (text.trim().length <= 1024) expect(formatCaption("telegram", text)).toBe(text.trim())
    }), { numRuns: 300 })
  })
})
