import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import {
  countHashtags,
  fitCaption,
  formatCaption,
  normalisePunctuation,
  type Platform,
  PLATFORM_CAPTION_RULES,
  stripHashtags
} from "../../src/domain/Caption.js"

const HASHTAG = /#[\p{L}\p{N}\p{M}_]+/gu
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const TYPOGRAPHIC = /[\u2014\u2013\u2018\u2019\u201C\u201D\u2026\u00A0\u2007\u2009\u202F\u200B\u2060\uFEFF]/
const codePoints = (s: string) => [...s].length

/** Captions as models write them (words, emoji, typographic punctuation, hashtags) plus arbitrary Unicode. */
const word = fc.oneof(
  { arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }), weight: 4 },
  { arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 6 }), weight: 1 },
  {
    arbitrary: fc.constantFrom(
      "—",
      "–",
      "“quoted”",
      "it’s",
      "…",
      "😀",
      "👩‍👩‍👧",
      "e\u0301",
      "#sunset",
      "#café",
      "#日本",
      "a#b",
      "\uD83D",
      "\uDE00x",
      "#️⃣"
    ),
    weight: 2
  },
  {
    arbitrary: fc.string({ unit: fc.constantFrom("a", "b", "é", "😀", "\u0301"), minLength: 1, maxLength: 30 }).map((
      s
    ) => `#${s}`),
    weight: 3
  }
)
const separator = fc.constantFrom(" ", " ", " ", "\n", "  ", "\t", "\u00A0", "\u2009", "\u202F", "\u200B", " \n\n ")
const caption = fc.array(fc.tuple(word, separator), { maxLength: 500, size: "max" }).map((pairs) =>
  pairs.map(([w, s]) => w + s).join("")
)
const platforms: ReadonlyArray<Platform> = ["instagram", "telegram", "email"]
const runs = { numRuns: 120 }

describe("formatCaption (examples)", () => {
  it("leaves a caption that fits as it is (trimmed)", () => {
    expect(formatCaption("telegram", "Evening light\n\n#coast")).toBe("Evening light\n\n#coast")
    expect(formatCaption("instagram", "  Evening light #coast ")).toBe("Evening light #coast")
  })

  it("shortens the body first and keeps the trailing hashtags with their separators", () => {
    expect(fitCaption("long text here #a #b", 15)).toBe("long… #a #b")
    expect(fitCaption("long text here\n\n#a #b", 17)).toBe("long text…\n\n#a #b")
    const out = formatCaption("telegram", `${"long words here ".repeat(100)}end #sunset #coast`)
    expect(out.length).toBeLessThanOrEqual(1024)
    expect(out).toMatch(/^long words here .*here… #sunset #coast$/s)
  })

  it("drops trailing hashtags from the end when they cannot all fit beside the first word", () => {
    expect(fitCaption("Evening light #aaaa #bbbb #cccc", 20)).toBe("Evening… #aaaa #bbbb")
    // The body fits whole beside the hashtags that fit: nothing was cut from it, so no ellipsis.
    expect(fitCaption("Evening #aaaa #bbbb #cccc", 20)).toBe("Evening #aaaa #bbbb")
    expect(fitCaption("Evening glow over the sea #aaaa #bbbb #cccc", 22)).toBe("Evening… #aaaa #bbbb")
    expect(fitCaption("#aaaa #bbbb #cccc", 12)).toBe("#aaaa #bbbb")
  })

  it("does not leave dangling punctuation before the ellipsis", () => {
    expect(fitCaption("Quiet morning, light fog", 16)).toBe("Quiet morning…")
  })

  it("never cuts a hashtag inside an over-long word", () => {
    expect(fitCaption(`${"x".repeat(10)}#${"y".repeat(20)}`, 15)).toBe(`${"x".repeat(10)}…`)
    expect(fitCaption(`#${"y".repeat(40)}`, 15)).toBe("")
  })

  it("never splits a surrogate pair or a grapheme cluster", () => {
    expect(fitCaption("e\u0301".repeat(20), 11)).toBe(`${"e\u0301".repeat(5)}…`)
    expect(fitCaption("👩‍👩‍👧".repeat(5), 20)).toBe("👩‍👩‍👧👩‍👩‍👧…")
    expect(fitCaption("😀".repeat(600), 1024)).toBe(`${"😀".repeat(511)}…`)
  })

  it("replaces lone surrogates, which no platform accepts", () => {
    expect(formatCaption("telegram", "a\uD83Db")).toBe("a\uFFFDb")
  })

  it("Telegram counts UTF-16 code units, Instagram code points", () => {
    expect(formatCaption("instagram", "😀".repeat(2200))).toBe("😀".repeat(2200))
    expect(codePoints(formatCaption("instagram", "😀".repeat(2201)))).toBeLessThanOrEqual(2200)
    expect(formatCaption("telegram", "😀".repeat(600)).length).toBeLessThanOrEqual(1024)
    expect(formatCaption("telegram", "a".repeat(1024))).toBe("a".repeat(1024))
  })

  it("Instagram keeps the first 30 hashtags and leaves the rest of the text alone", () => {
    const tags = Array.from({ length: 40 }, (_, i) => `#t${i}`)
    const out = formatCaption("instagram", `Photo  of the coast\n\n${tags.join(" ")}\n#x #y`)
    expect(out).toBe(`Photo  of the coast\n\n${tags.slice(0, 30).join(" ")}`)
    expect(countHashtags(out)).toBe(30)
    expect(formatCaption("instagram", `${tags.join(" ")} end`)).toBe(`${tags.slice(0, 30).join(" ")} end`)
  })

  it("email: no hashtags, plain punctuation, 240 characters, ASCII ellipsis", () => {
    expect(formatCaption("email", "Dawn — “quiet” it’s…\u00A0here #sunrise #calm")).toBe(
      "Dawn - \"quiet\" it's... here"
    )
    expect(formatCaption("email", "Dusk over #sea. #calm")).toBe("Dusk over.")
    const long = formatCaption("email", "word ".repeat(100))
    expect(codePoints(long)).toBeLessThanOrEqual(240)
    expect(long.endsWith("word...")).toBe(true)
  })

  it("normalises dashes, quotes, unicode spaces and zero-width characters, keeping emoji ZWJ sequences", () => {
    expect(normalisePunctuation("1–2 ‘a’\u200B b")).toBe("1-2 'a' b")
    expect(normalisePunctuation("a\u2007b\u202Fc\u2009d\u3000e\u2060f\uFEFFg")).toBe("a b c d efg")
    expect(normalisePunctuation("wait—what")).toBe("wait - what")
    expect(normalisePunctuation("„yes‟ ‚no‛")).toBe("\"yes\" 'no'")
    expect(normalisePunctuation("family 👩‍👩‍👧 a\u200Db")).toBe("family 👩‍👩‍👧 ab")
    expect(stripHashtags("#a Dusk #b, sea #c")).toBe("Dusk, sea")
  })
})

describe("formatCaption (properties)", () => {
  it("for any caption, on every platform: within the limit as the platform counts, no cut hashtag, no lone surrogate; Instagram at most 30 hashtags; email without hashtags or typographic characters", () => {
    fc.assert(
      fc.property(caption, (text) => {
        const inputTags = new Set(text.match(HASHTAG) ?? [])
        for (const platform of platforms) {
          const rule = PLATFORM_CAPTION_RULES[platform]
          const out = formatCaption(platform, text)
          expect(rule.count(out), `${platform} length`).toBeLessThanOrEqual(rule.limit)
          expect(LONE_SURROGATE.test(out), `${platform} lone surrogate`).toBe(false)
          for (const tag of out.match(HASHTAG) ?? []) {
            expect(inputTags.has(tag), `${platform} cut hashtag ${tag}`).toBe(true)
          }
          if (platform === "instagram") expect(countHashtags(out), "instagram hashtags").toBeLessThanOrEqual(30)
          if (platform === "email") {
            expect(out.match(HASHTAG), "email hashtags").toBeNull()
            expect(TYPOGRAPHIC.test(out), "email typography").toBe(false)
          }
        }
      }),
      { numRuns: 200 }
    )
  })

  it("a caption that fits comes back unchanged (trimmed; email normalised; Instagram hashtags capped)", () => {
    const short = fc.array(fc.tuple(word, separator), { maxLength: 60 }).map((pairs) =>
      pairs.map(([w, s]) => w + s).join("")
    )
    fc.assert(
      fc.property(short, (raw) => {
        const text = raw.replace(new RegExp(LONE_SURROGATE, "g"), "")
        if (text.trim().length <= 1024) expect(formatCaption("telegram", text)).toBe(text.trim())
        if (codePoints(text.trim()) <= 2200 && countHashtags(text) <= 30) {
          expect(formatCaption("instagram", text)).toBe(text.trim())
        }
        const plain = stripHashtags(normalisePunctuation(text))
        if (codePoints(plain) <= 240) expect(formatCaption("email", text)).toBe(plain)
      }),
      { numRuns: 300 }
    )
  })

  it("fitCaption with any limit: within it, whole hashtags, whole surrogate pairs", () => {
    const longWords = fc.array(fc.tuple(fc.oneof(word, word.map((w) => w.repeat(8))), separator), { maxLength: 12 })
      .map((pairs) => pairs.map(([w, s]) => w + s).join(""))
    fc.assert(
      fc.property(longWords, fc.integer({ min: 0, max: 60 }), (text, limit) => {
        const out = fitCaption(text, limit)
        expect(out.length).toBeLessThanOrEqual(limit)
        expect(LONE_SURROGATE.test(out)).toBe(false)
        const inputTags = new Set(text.match(HASHTAG) ?? [])
        for (const tag of out.match(HASHTAG) ?? []) expect(inputTags.has(tag)).toBe(true)
      }),
      { numRuns: 300 }
    )
  })

  it("a cut caption is a prefix of the input's words, an ellipsis, then some of its trailing hashtags", () => {
    fc.assert(
      fc.property(caption, (raw) => {
        const text = raw.replace(new RegExp(LONE_SURROGATE, "g"), "").trim()
        const out = formatCaption("telegram", text)
        if (out === text) return
        const at = out.lastIndexOf("…")
        if (at === -1) {
          // Only trailing hashtags were dropped.
          expect(text.startsWith(out)).toBe(true)
        } else {
          expect(text.startsWith(out.slice(0, at))).toBe(true)
          const tail = out.slice(at + 1)
          expect(tail === "" || text.endsWith(tail) || text.includes(tail)).toBe(true)
          for (const token of tail.split(/\s+/).filter((t) => t !== "")) {
            expect(token).toMatch(/^#[\p{L}\p{N}\p{M}_]+$/u)
          }
        }
      }),
      runs
    )
  })
})
