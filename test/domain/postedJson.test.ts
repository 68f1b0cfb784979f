import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import fc from "fast-check"
import { readFileSync } from "node:fs"
import { decodePostedJson, parsePostedJson } from "../../src/domain/PostedJson.js"

const fixture = readFileSync(new URL("../fixtures/publisher_v2/posted.json", import.meta.url), "utf8")
const a = "a".repeat(64)
const b = "b".repeat(64)
const c = "c".repeat(64)

const parse = (text: string) => Effect.runSync(Effect.either(parsePostedJson(text)))
const parsed = (text: string) => Either.getOrThrow(parse(text))
const message = (text: string) => {
  const result = parse(text)
  if (Either.isRight(result)) throw new Error(`expected a failure for ${text}`)
  expect(result.left._tag).toBe("PostedJsonError")
  return result.left.message
}

describe("publisher_v2 posted.json", () => {
  it("reads the fixture (hashes + dropbox_content_hashes)", () => {
    expect(parsed(fixture)).toEqual({
      sha256s: ["b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"],
      contentHashes: [
        "bc62d4b80d9e36da29c16c5d4d9f11731f36052c72401a76c23c0fb5a9b74423",
        "907a506cf5e706bda5c7a29b43c9c65d8344bd2fa2f22339b359c214812af5a1"
      ]
    })
  })

  it("reads a bare list", () => {
    expect(parsed(JSON.stringify([a, b]))).toEqual({ sha256s: [a, b], contentHashes: [] })
    expect(parsed("[]")).toEqual({ sha256s: [], contentHashes: [] })
  })

  it("reads {hashes}", () => {
    expect(parsed(JSON.stringify({ hashes: [a] }))).toEqual({ sha256s: [a], contentHashes: [] })
  })

  it("reads {hashes, dropbox_content_hashes}, ignoring other keys", () => {
    expect(parsed(JSON.stringify({ hashes: [a], dropbox_content_hashes: [b, c], version: 2 }))).toEqual({
      sha256s: [a],
      contentHashes: [b, c]
    })
  })

  it("lower-cases, trims and de-duplicates; accepts a byte-order mark", () => {
    const text = JSON.stringify({
      hashes: [a.toUpperCase(), a, ` ${b} `],
      dropbox_content_hashes: [c, c.toUpperCase()]
    })
    expect(parsed(text)).toEqual({ sha256s: [a, b], contentHashes: [c] })
    expect(parsed(`\uFEFF${JSON.stringify([a])}`)).toEqual({ sha256s: [a], contentHashes: [] })
  })

  it("invalid JSON says so and names the expected shapes", () => {
    expect(message("{nope")).toMatch(/not valid JSON.*expected a JSON list of SHA-256 hex strings/)
    expect(message("")).toMatch(/not valid JSON/)
  })

  it("a wrong shape names the shapes expected and what was found", () => {
    expect(message(JSON.stringify({ posted: [] }))).toBe(
      `posted.json must be a JSON list of SHA-256 hex strings, {"hashes": [...]}, or {"hashes": [...], "dropbox_content_hashes": [...]}, not an object with keys "posted"`
    )
    expect(message("42")).toMatch(/must be a JSON list .*, not a number \(42\)/)
    expect(message("null")).toMatch(/, not null$/)
    expect(message(JSON.stringify({ hashes: "x" }))).toBe(
      `posted.json: "hashes" must be a list of SHA-256 hex strings, not a string ("x")`
    )
    expect(message(JSON.stringify({ hashes: [], dropbox_content_hashes: {} }))).toMatch(
      /"dropbox_content_hashes" must be a list .*not an object/
    )
  })

  it("a bad entry is named by its position and value", () => {
    expect(message(JSON.stringify([a, "xyz"]))).toBe(`posted.json: entry [1] is "xyz", not a SHA-256 (64 hex digits)`)
    expect(message(JSON.stringify({ hashes: [a, a.slice(1)] }))).toMatch(
      /^posted\.json: entry hashes\[1\] is "a{63}", not a SHA-256/
    )
    expect(message(JSON.stringify({ hashes: [a], dropbox_content_hashes: [b, 7] }))).toBe(
      "posted.json: entry dropbox_content_hashes[1] is 7, not a SHA-256 (64 hex digits)"
    )
    expect(message(JSON.stringify([`${a}g`]))).toMatch(/entry \[0\]/)
    // A huge bad value is shortened, not echoed whole.
    expect(message(JSON.stringify(["z".repeat(10_000)])).length).toBeLessThan(200)
  })

  it("decodes any list of hex hashes, whatever the case, to the same set", () => {
    const hash = fc.stringMatching(/^[0-9a-fA-F]{64}$/)
    fc.assert(
      fc.property(fc.array(hash, { maxLength: 20 }), fc.array(hash, { maxLength: 20 }), (sha256s, contentHashes) => {
        const result = Either.getOrThrow(decodePostedJson({ hashes: sha256s, dropbox_content_hashes: contentHashes }))
        expect(new Set(result.sha256s)).toEqual(new Set(sha256s.map((h) => h.toLowerCase())))
        expect(result.contentHashes).toHaveLength(new Set(contentHashes.map((h) => h.toLowerCase())).size)
      })
    )
  })
})
