import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import { readFileSync } from "node:fs"
import { cachedFromSidecar, renderSidecar } from "../../src/domain/CaptionSidecar.js"
import { formatSidecar, parseSidecar, sidecarString, sidecarStrings } from "../../src/domain/Sidecar.js"
import { image, sampleAnalysis, sampleCaptions } from "../support/fakes.js"

const fixture = readFileSync(new URL("../fixtures/publisher_v2/sample.txt", import.meta.url), "utf8")

/** A sidecar as a run writes it. */
const written = {
  image: image("p.jpg"),
  sha256: "ab".repeat(32),
  analysis: sampleAnalysis,
  captions: sampleCaptions,
  models: { vision: "gpt-4o", caption: "gpt-4o-mini" },
  created: "2026-11-22T10:00:00.000Z"
}

describe("publisher_v2 sidecar", () => {
  it("parses the Python tool's file", () => {
    const sidecar = parseSidecar(fixture)
    expect(sidecar.sdCaption).toMatch(/^a woman in a red coat walking along a rainy harbour at dusk/)
    expect(Option.getOrThrow(sidecarString(sidecar, "image_file"))).toBe("sample.jpg")
    expect(Option.getOrThrow(sidecarString(sidecar, "dropbox_file_id"))).toBe("id:a4ayc_80_OEAAAAAAAAAXw")
    expect(Option.getOrThrow(sidecarStrings(sidecar, "tags"))).toEqual([
      "harbour",
      "rain",
      "red coat",
      "dusk",
      "street"
    ])
    expect(Option.getOrThrow(sidecarStrings(sidecar, "moderation"))).toEqual([])
    expect(Option.getOrThrow(sidecarString(sidecar, "art_style"))).toBe("street photography")
  })

  it("writes back what it read, line for line", () => {
    expect(formatSidecar(parseSidecar(fixture))).toBe(fixture.endsWith("\n") ? fixture : fixture + "\n")
  })

  it("keeps every value on one line", () => {
    const text = formatSidecar({ sdCaption: "line one\nline two", metadata: [["subject", "a\r\nb"]] })
    expect(text).toBe("line one line two\n\n# ---\n# subject: a b\n")
  })

  it("a sidecar without metadata is a bare sd_caption", () => {
    const sidecar = parseSidecar("just a prompt, soft light\n")
    expect(sidecar.sdCaption).toBe("just a prompt, soft light")
    expect(sidecar.metadata).toEqual([])
  })

  it("round-trips a sidecar we write into the cache", () => {
    const text = renderSidecar(written)
    expect(text.split("\n").slice(0, 4)).toEqual([sampleCaptions.sd_caption, "", "# ---", "# image_file: p.jpg"])
    const cached = Option.getOrThrow(cachedFromSidecar(text))
    expect(cached.captions).toEqual(sampleCaptions)
    expect(cached.analysis).toEqual(sampleAnalysis)
  })

  it("SIDECAR_ARTIST_ALIAS goes after model_version, as publisher_v2 wrote artist_alias; without it there is no such line", () => {
    const keys = (text: string) =>
      text.split("\n").filter((l) => l.startsWith("# ") && l !== "# ---").map((l) => l.slice(2).split(":")[0])
    const withAlias = renderSidecar({ ...written, artistAlias: "Ana Light" })
    expect(keys(withAlias).slice(5, 8)).toEqual(["sd_caption_version", "model_version", "artist_alias"])
    expect(withAlias).toContain("# artist_alias: Ana Light\n")
    expect(keys(renderSidecar(written))).not.toContain("artist_alias")
    expect(Option.isSome(cachedFromSidecar(withAlias))).toBe(true)
  })

  it("does not trust a partial sidecar as a cache (the Python tool's has no caption)", () => {
    expect(Option.isNone(cachedFromSidecar(fixture))).toBe(true)
    expect(Option.isNone(cachedFromSidecar(""))).toBe(true)
  })
})
