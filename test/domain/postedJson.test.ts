import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { parsePostedJson } from "../../src/domain/PostedJson.js"

const fixture = readFileSync(new URL("../../../shared/fixtures/publisher_v2/posted.json", import.meta.url), "utf8")
const a = "a".repeat(64)
const B = "B".repeat(64)

const parse = (text: string) => Effect.runSync(Effect.either(parsePostedJson(text)))

describe("publisher_v2 posted.json", () => {
  it("reads the fixture (hashes + dropbox_content_hashes)", () => {
    const parsed = Either.getOrThrow(parse(fixture))
    expect(parsed.sha256s).toEqual(["b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"])
    expect(parsed.contentHashes).toHaveLength(2)
  })

  it("reads a bare list and {hashes}, lower-cased and de-duplicated", () => {
    expect(Either.getOrThrow(parse(JSON.stringify([a, B, B.toLowerCase()])))).toEqual({ sha256s: [a, "b".repeat(64)], contentHashes: [] })
    expect(Either.getOrThrow(parse(JSON.stringify({ hashes: [a] })))).toEqual({ sha256s: [a], contentHashes: [] })
  })

  it("rejects bad JSON, bad shapes and bad entries with a clear message", () => {
    const message = (text: string) => {
      const result = parse(text)
      return Either.isLeft(result) ? result.left.message : "parsed"
    }
    expect(message("{nope")).toMatch(/not valid JSON/)
    expect(message(JSON.stringify({ posted: [] }))).toMatch(/must be a list of SHA-256 hashes/)
    expect(message(JSON.stringify([a, "xyz"]))).toMatch(/64-digit hex/)
  })
})
