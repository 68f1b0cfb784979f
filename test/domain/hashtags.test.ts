import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { appendHashtags, countHashtags, formatCaption } from "../../src/domain/Caption.js"

describe("appendHashtags (CAPTION_HASHTAGS)", () => {
  it("adds the configured tags after a blank line, or onto the caption's own trailing tags", () => {
    expect(appendHashtags("Morning fog over the lake.", "#film #bw")).toBe("Morning fog over the lake.\n\n#film #bw")
    expect(appendHashtags("Morning fog. #lake #fog", "#film #bw")).toBe("Morning fog. #lake #fog #film #bw")
    expect(appendHashtags("", "#film")).toBe("#film")
  })

  it("adds each tag once: tags already in the caption (any case) and repeated tags are skipped", () => {
    expect(appendHashtags("Fog on the #Lake. #film", "#lake #film #bw #BW")).toBe("Fog on the #Lake. #film #bw")
    expect(appendHashtags("Fog. #film #bw", "#film #bw")).toBe("Fog. #film #bw")
  })

  it("ignores words that are not hashtags and an empty setting", () => {
    expect(appendHashtags("Fog.", "tags: #film, #bw!")).toBe("Fog.\n\n#film #bw")
    expect(appendHashtags("Fog.", "   ")).toBe("Fog.")
  })

  it("is idempotent, keeps the caption as its prefix, and every configured tag ends up in it", () => {
    const tag = fc.stringMatching(/^#[a-zA-Z0-9_]{1,8}$/)
    fc.assert(fc.property(fc.string(), fc.array(tag, { maxLength: 6 }), (caption, tags) => {
      const once = appendHashtags(caption, tags.join(" "))
      expect(appendHashtags(once, tags.join(" "))).toBe(once)
      if (tags.length > 0 && once !== caption) expect(once.startsWith(caption.trimEnd())).toBe(true)
      const present = new Set((once.match(/#[\p{L}\p{N}\p{M}_]+/gu) ?? []).map((t) => t.toLowerCase()))
      for (const t of tags) expect(present.has(t.toLowerCase())).toBe(true)
    }))
  })

  it("the platform rules then apply: email drops them, Instagram keeps at most 30", () => {
    const caption = appendHashtags("Fog.", "#film #bw")
    expect(formatCaption("email", caption)).toBe("Fog.")
    expect(formatCaption("telegram", caption)).toBe("Fog.\n\n#film #bw")
    const many = Array.from({ length: 40 }, (_, i) => `#t${i}`).join(" ")
    expect(countHashtags(formatCaption("instagram", appendHashtags("Fog.", many)))).toBe(30)
  })
})
