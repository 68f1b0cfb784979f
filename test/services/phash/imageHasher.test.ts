import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { readFileSync } from "node:fs"
import sharp from "sharp"
import { phashOf } from "../../../src/domain/PerceptualHash.js"
import { decodeForHash } from "../../../src/services/phash/decode.js"
import { makeImageHasher } from "../../../src/services/phash/ImageHasher.js"
import { HashPool } from "../../../src/services/phash/pool.js"
import expectations from "../../support/pillowExpectations.json" with { type: "json" }

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url))

describe("decoding for the hash", () => {
  it("the fixtures hash to imagehash's reference values", async () => {
    expect(phashOf(await decodeForHash(fixture("imagehash.png")))).toBe("ba8c84536bd3c366")
    expect(phashOf(await decodeForHash(fixture("peppers.png")))).toBe("92a71cdc79d980e3")
    expect(expectations.peppers.phash).toBe("92a71cdc79d980e3")
  })

  it("ignores an embedded ICC profile, as Pillow does", async () => {
    // Saved by Pillow with a Display P3 profile; Pillow 9.4 + imagehash hash it 92a71cdc79d980e3.
    const withProfile = readFileSync(new URL("../../support/peppers-with-p3-profile.png", import.meta.url))
    expect((await sharp(withProfile).metadata()).hasProfile).toBe(true)
    expect(phashOf(await decodeForHash(withProfile))).toBe("92a71cdc79d980e3")
    // sharp's default pipeline converts to sRGB first, which moves the hash.
    const { data, info } = await sharp(withProfile).raw().toBuffer({ resolveWithObject: true })
    expect(phashOf({ width: info.width, height: info.height, channels: 3, data })).not.toBe("92a71cdc79d980e3")
  })

  it("16-bit images decode as Pillow opens them (RGB: high byte)", async () => {
    const rgb16 = await sharp(fixture("peppers.png")).toColourspace("rgb16").png().toBuffer()
    expect((await sharp(rgb16).metadata()).depth).toBe("ushort")
    expect(phashOf(await decodeForHash(rgb16))).toBe("92a71cdc79d980e3")
  })

  it("bytes that are not an image are rejected", async () => {
    await expect(decodeForHash(new TextEncoder().encode("not an image"))).rejects.toThrow()
  })
})

describe("ImageHasher (worker threads)", () => {
  it.scoped("hashes in workers, at most `size` of them, and names the image in a decode error", () =>
    Effect.gen(function*() {
      const hasher = yield* makeImageHasher(2)
      const bytes = fixture("peppers.png")
      const results = yield* Effect.all(
        Array.from({ length: 6 }, (_, i) => hasher.hash(i % 2 === 0 ? bytes : fixture("imagehash.png"), `f${i}`)),
        {
          concurrency: "unbounded"
        }
      )
      expect(results.map((r) => r.phash)).toEqual([
        "92a71cdc79d980e3",
        "ba8c84536bd3c366",
        "92a71cdc79d980e3",
        "ba8c84536bd3c366",
        "92a71cdc79d980e3",
        "ba8c84536bd3c366"
      ])
      expect(results[0]).toMatchObject({ algorithm: "imagehash-phash-8x8", version: 1, width: 600, height: 600 })
      // The caller's bytes are intact (a copy went to the worker).
      expect(bytes.byteLength).toBe(503016)
      const bad = yield* Effect.exit(hasher.hash(new Uint8Array([1, 2, 3]), "broken.jpg"))
      expect(Exit.isFailure(bad) && JSON.stringify(bad.cause)).toContain("broken.jpg")
    }))

  it("starts workers on demand, never more than its size", async () => {
    const pool = new HashPool(2)
    expect(pool.started).toBe(0)
    await pool.hash(fixture("imagehash.png"))
    expect(pool.started).toBe(1)
    await Promise.all(Array.from({ length: 5 }, () => pool.hash(fixture("peppers.png"))))
    expect(pool.started).toBe(2)
    await pool.close()
    await expect(pool.hash(fixture("peppers.png"))).rejects.toThrow(/closed/)
  })

  it("warm starts one worker ahead of the first hash, which then uses it", async () => {
    const pool = new HashPool(2)
    pool.warm()
    pool.warm()
    expect(pool.started).toBe(1)
    expect((await pool.hash(fixture("imagehash.png"))).hash).toBe("ba8c84536bd3c366")
    expect(pool.started).toBe(1)
    await pool.close()
    pool.warm()
    expect(pool.started).toBe(0)
  })
})
