import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { SqliteStateMemory } from "../../../src/services/state/SqliteLive.js"
import { State, type StoredImageHash } from "../../../src/services/state/State.js"

const hex = (c: string) => c.repeat(64)
const withState = <A, E>(body: (state: State["Type"]) => Effect.Effect<A, E>) =>
  State.pipe(Effect.flatMap(body), Effect.provide(SqliteStateMemory))

const hash = (content: string, phash: string, source: StoredImageHash["source"] = "original", version = 1): StoredImageHash => ({
  contentHash: hex(content),
  imageName: `${content}.jpg`,
  phash,
  algorithm: "imagehash-phash-8x8",
  version,
  source
})

describe("SqlState: perceptual hashes and near-duplicates", () => {
  it.effect("saves hashes once per content, source and algorithm version; an original's hash wins", () =>
    withState((state) =>
      Effect.gen(function*() {
        yield* state.saveImageHashes([hash("a", "00000000000000ff", "thumbnail"), hash("b", "ff00000000000000")])
        yield* state.saveImageHashes([hash("a", "00000000000000fe", "original"), hash("b", "0000000000000001"), hash("c", "1111111111111111", "original", 2)])
        const v1 = yield* state.imageHashes("imagehash-phash-8x8", 1)
        expect([...v1.keys()].sort()).toEqual([hex("a"), hex("b")])
        expect(v1.get(hex("a"))).toMatchObject({ phash: "00000000000000fe", source: "original" })
        expect(v1.get(hex("b"))?.phash).toBe("ff00000000000000") // the first stored hash is kept
        expect([...(yield* state.imageHashes("imagehash-phash-8x8", 2)).keys()]).toEqual([hex("c")])
        expect((yield* state.imageHashes("other", 1)).size).toBe(0)
      })
    ))

  it.effect("postedImageHashes: only images posted (recorded, imported or published somewhere) with a known hash", () =>
    withState((state) =>
      Effect.gen(function*() {
        yield* state.saveImageHashes([hash("a", "000000000000000a", "thumbnail"), hash("a", "00000000000000aa"), hash("b", "000000000000000b"), hash("c", "000000000000000c"), hash("d", "000000000000000d")])
        yield* state.markPosted({ contentHash: hex("a"), sha256: hex("1"), imageName: "a.jpg", runId: "r" })
        yield* state.importPosted({ sha256s: [], contentHashes: [hex("b")], source: "import:x" })
        yield* state.recordPublication({ runId: "r", contentHash: hex("c"), imageName: "c.jpg", platform: "telegram", ok: true })
        yield* state.recordPublication({ runId: "r", contentHash: hex("d"), imageName: "d.jpg", platform: "telegram", ok: false })
        const posted = yield* state.postedImageHashes("imagehash-phash-8x8", 1)
        expect(posted.map((p) => [p.contentHash, p.phash]).sort()).toEqual([
          [hex("a"), "00000000000000aa"],
          [hex("b"), "000000000000000b"],
          [hex("c"), "000000000000000c"]
        ])
      })
    ))

  it.effect("near-duplicates are recorded once and listed by content_hash", () =>
    withState((state) =>
      Effect.gen(function*() {
        const record = { contentHash: hex("e"), imageName: "e.jpg", duplicateOf: hex("a"), duplicateOfName: "a.jpg", distance: 3, runId: "r1" }
        yield* state.recordNearDuplicate(record)
        yield* state.recordNearDuplicate({ ...record, runId: "r2", distance: 5 })
        expect(yield* state.nearDuplicateContentHashes).toEqual(new Set([hex("e")]))
      })
    ))
})
