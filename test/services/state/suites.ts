import { describe, expect, it } from "@effect/vitest"
import { Effect, type Layer, Option, TestClock } from "effect"
import { createHash } from "node:crypto"
import type { StateError } from "../../../src/domain/Errors.js"
import { State, type StoredImageHash } from "../../../src/services/state/State.js"
import { holder } from "../../support/leases.js"

const createHashHex = (text: string) => createHash("sha256").update(text).digest("hex")

/**
 * What every State backend must do, run against SQLite (sqlState.test.ts) and PostgreSQL
 * (postgres.test.ts). `layer` gives a fresh, empty database on each build.
 */
export const stateSuites = (backend: string, layer: Layer.Layer<State, StateError>) => {
  const hex = (c: string) => c.repeat(64)
  const image = { contentHash: hex("a"), sha256: hex("b"), imageName: "a.jpg", runId: "run-1" }
  const withState = <A, E>(body: (state: State["Type"]) => Effect.Effect<A, E>) =>
    State.pipe(Effect.flatMap(body), Effect.provide(layer))
  const hash = (
    content: string,
    phash: string,
    source: StoredImageHash["source"] = "original",
    version = 1
  ): StoredImageHash => ({
    contentHash: hex(content),
    imageName: `${content}.jpg`,
    phash,
    algorithm: "imagehash-phash-8x8",
    version,
    source
  })

  describe(`SqlState on ${backend}`, () => {
    it.effect("markPosted records both keys, idempotently", () =>
      withState((state) =>
        Effect.gen(function*() {
          yield* state.markPosted(image)
          yield* state.markPosted(image)
          yield* state.markPosted({ ...image, runId: "run-2" })
          expect(yield* state.postedContentHashes).toEqual(new Set([hex("a")]))
          expect(yield* state.isPostedSha256(hex("b"))).toBe(true)
          expect(yield* state.isPostedSha256(hex("b").toUpperCase())).toBe(true)
          expect(yield* state.isPostedSha256(hex("a"))).toBe(false) // a content_hash is not a sha256
          expect(yield* state.isPostedSha256(hex("c"))).toBe(false)
        })
      ))

    it.effect("postedContentHashes holds only content hashes, recorded or imported", () =>
      withState((state) =>
        Effect.gen(function*() {
          expect(yield* state.postedContentHashes).toEqual(new Set())
          yield* state.markPosted(image)
          yield* state.importPosted({ sha256s: [hex("1")], contentHashes: [hex("2")], source: "import:posted.json" })
          expect(yield* state.postedContentHashes).toEqual(new Set([hex("a"), hex("2")]))
        })
      ))

    it.effect("importPosted counts new hashes; a second import adds 0", () =>
      withState((state) =>
        Effect.gen(function*() {
          const input = { sha256s: [hex("1"), hex("2")], contentHashes: [hex("3")], source: "import:posted.json" }
          expect(yield* state.importPosted(input)).toEqual({ added: 3, total: 3 })
          expect(yield* state.importPosted(input)).toEqual({ added: 0, total: 3 })
          expect(yield* state.importPosted({ ...input, sha256s: [hex("1"), hex("4")] })).toEqual({ added: 1, total: 3 })
          expect(yield* state.isPostedSha256(hex("4"))).toBe(true)
          expect(yield* state.postedContentHashes).toEqual(new Set([hex("3")]))
        })
      ))

    it.effect("importPosted counts a hash once however often the input repeats it, and knows hashes a run recorded", () =>
      withState((state) =>
        Effect.gen(function*() {
          yield* state.markPosted(image)
          const result = yield* state.importPosted({
            sha256s: [hex("b"), hex("5"), hex("5"), hex("5").toUpperCase()],
            contentHashes: [hex("a"), hex("6")],
            source: "import:x"
          })
          expect(result).toEqual({ added: 2, total: 4 })
        })
      ))

    it.effect("importPosted of nothing adds nothing", () =>
      withState((state) =>
        Effect.gen(function*() {
          expect(yield* state.importPosted({ sha256s: [], contentHashes: [], source: "import:empty" })).toEqual({
            added: 0,
            total: 0
          })
        })
      ))

    it.live(
      "100,000 hashes: imported in one call, read back in one query, a second import adds none",
      () =>
        withState((state) =>
          Effect.gen(function*() {
            const hashes = Array.from({ length: 100_000 }, (_, i) => i.toString(16).padStart(64, "0"))
            expect(yield* state.importPosted({ sha256s: [], contentHashes: hashes, source: "import:big" })).toEqual({
              added: 100_000,
              total: 100_000
            })
            const posted = yield* state.postedContentHashes
            expect(posted.size).toBe(100_000)
            expect(posted.has(hashes[99_999]!)).toBe(true)
            expect(yield* state.importPosted({ sha256s: [], contentHashes: hashes, source: "import:big" })).toEqual({
              added: 0,
              total: 100_000
            })
          })
        ),
      60_000
    )

    it.effect("ping answers", () => withState((state) => state.ping))
  })

  describe(`publications on ${backend}`, () => {
    const base = { contentHash: hex("a"), imageName: "a.jpg" }

    it.effect("newest success per platform, failures ignored, runs counted; other images apart", () =>
      withState((state) =>
        Effect.gen(function*() {
          yield* state.recordPublication({ ...base, runId: "r1", platform: "telegram", ok: true, postId: "7" })
          yield* state.recordPublication({ ...base, runId: "r1", platform: "email", ok: false, error: "down" })
          yield* state.recordPublication({ ...base, runId: "r2", platform: "telegram", ok: true, postId: "9" })
          yield* state.recordPublication({ ...base, runId: "r2", platform: "email", ok: true })
          yield* state.recordPublication({
            ...base,
            contentHash: hex("b"),
            runId: "r3",
            platform: "instagram",
            ok: true,
            postId: "x"
          })
          const history = yield* state.platformHistory(hex("a"))
          expect(history.successes.map((s) => [s.platform, s.postId, s.runId])).toEqual(
            expect.arrayContaining([["telegram", "9", "r2"], ["email", undefined, "r2"]])
          )
          expect(history.successes).toHaveLength(2)
          expect(history.uncertain).toEqual([])
          expect(history.runs).toBe(2)
          expect(history.successes[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT/)
        })
      ))

    it.effect("a success stays a success when a later attempt fails", () =>
      withState((state) =>
        Effect.gen(function*() {
          yield* state.recordPublication({ ...base, runId: "r1", platform: "telegram", ok: true, postId: "7" })
          yield* state.recordPublication({
            ...base,
            runId: "r2",
            platform: "telegram",
            ok: false,
            error: "timeout",
            uncertain: true
          })
          const history = yield* state.platformHistory(hex("a"))
          expect(history.successes.map((s) => s.postId)).toEqual(["7"])
          expect(history.uncertain).toEqual([])
        })
      ))

    // Under the TestClock every row has the same timestamp: order comes from insertion.
    it.effect("uncertain is the latest attempt's verdict, in insertion order even at the same instant", () =>
      withState((state) =>
        Effect.gen(function*() {
          yield* state.recordPublication({ ...base, runId: "r1", platform: "instagram", ok: false, error: "500" })
          yield* state.recordPublication({
            ...base,
            runId: "r1",
            platform: "instagram",
            ok: false,
            error: "timeout",
            uncertain: true
          })
          yield* state.recordPublication({
            ...base,
            runId: "r1",
            platform: "email",
            ok: false,
            error: "timeout",
            uncertain: true
          })
          yield* state.recordPublication({ ...base, runId: "r2", platform: "email", ok: false, error: "refused" })
          const history = yield* state.platformHistory(hex("a"))
          expect(history.uncertain).toEqual(["instagram"])
          expect(history.successes).toEqual([])
          expect(history.runs).toBe(2)
        })
      ))

    it.effect("an unknown image has no history", () =>
      withState((state) =>
        Effect.gen(function*() {
          expect(yield* state.platformHistory(hex("c"))).toEqual({ successes: [], uncertain: [], runs: 0 })
        })
      ))

    it.effect("platformHistories answers what platformHistory answers for each image, over 500 images (several queries) and unknown ones", () =>
      withState((state) =>
        Effect.gen(function*() {
          const hashes = Array.from({ length: 620 }, (_, i) => createHashHex(`image-${i}`))
          for (const [i, contentHash] of hashes.entries()) {
            if (i % 3 === 2) continue // never tried
            yield* state.recordPublication({
              ...base,
              contentHash,
              runId: `r${i}`,
              platform: "telegram",
              ok: i % 3 === 0,
              postId: String(i)
            })
            if (i % 5 === 0) {
              yield* state.recordPublication({
                ...base,
                contentHash,
                runId: `r${i}`,
                platform: "email",
                ok: false,
                uncertain: true
              })
            }
          }
          const histories = yield* state.platformHistories(hashes)
          expect(histories.size).toBe(620)
          for (const contentHash of [hashes[0]!, hashes[1]!, hashes[2]!, hashes[10]!, hashes[555]!, hashes[619]!]) {
            expect(histories.get(contentHash)).toEqual(yield* state.platformHistory(contentHash))
          }
          expect(histories.get(hashes[2]!)).toEqual({ successes: [], uncertain: [], runs: 0 })
          expect((yield* state.platformHistories([])).size).toBe(0)
        })
      ))

    it.effect("publishedContentHashes: images live on at least one platform", () =>
      withState((state) =>
        Effect.gen(function*() {
          yield* state.recordPublication({ ...base, runId: "r1", platform: "telegram", ok: true, postId: "1" })
          yield* state.recordPublication({ ...base, runId: "r1", platform: "email", ok: true })
          yield* state.recordPublication({ ...base, contentHash: hex("b"), runId: "r1", platform: "email", ok: false })
          yield* state.recordPublication({
            ...base,
            contentHash: hex("c"),
            runId: "r1",
            platform: "email",
            ok: false,
            uncertain: true
          })
          expect(yield* state.publishedContentHashes).toEqual(new Set([hex("a")]))
        })
      ))
  })

  describe(`images waiting for a check on ${backend}`, () => {
    const base = { contentHash: hex("a"), imageName: "a.jpg" }
    it.effect("uncertainContentHashes: the latest attempt on a platform is uncertain and none there succeeded", () =>
      withState((state) =>
        Effect.gen(function*() {
          // a: uncertain on telegram only -> waits.
          yield* state.recordPublication({
            ...base,
            contentHash: hex("a"),
            runId: "r1",
            platform: "telegram",
            ok: false,
            uncertain: true
          })
          // b: uncertain, then a forced retry succeeded -> resolved.
          yield* state.recordPublication({
            ...base,
            contentHash: hex("b"),
            runId: "r1",
            platform: "telegram",
            ok: false,
            uncertain: true
          })
          yield* state.recordPublication({
            ...base,
            contentHash: hex("b"),
            runId: "r2",
            platform: "telegram",
            ok: true,
            postId: "9"
          })
          // c: uncertain, then a plain failure on the same platform -> its latest attempt is not uncertain.
          yield* state.recordPublication({
            ...base,
            contentHash: hex("c"),
            runId: "r1",
            platform: "email",
            ok: false,
            uncertain: true
          })
          yield* state.recordPublication({ ...base, contentHash: hex("c"), runId: "r2", platform: "email", ok: false })
          // d: live on email, uncertain on telegram -> waits (for telegram).
          yield* state.recordPublication({ ...base, contentHash: hex("d"), runId: "r1", platform: "email", ok: true })
          yield* state.recordPublication({
            ...base,
            contentHash: hex("d"),
            runId: "r1",
            platform: "telegram",
            ok: false,
            uncertain: true
          })
          // e: failed plainly -> not waiting.
          yield* state.recordPublication({
            ...base,
            contentHash: hex("e"),
            runId: "r1",
            platform: "telegram",
            ok: false
          })
          expect(yield* state.uncertainContentHashes).toEqual(new Set([hex("a"), hex("d")]))
        })
      ))
  })

  describe(`perceptual hashes and near-duplicates on ${backend}`, () => {
    it.effect("saves hashes once per content, source and algorithm version; an original's hash wins", () =>
      withState((state) =>
        Effect.gen(function*() {
          yield* state.saveImageHashes([hash("a", "00000000000000ff", "thumbnail"), hash("b", "ff00000000000000")])
          yield* state.saveImageHashes([
            hash("a", "00000000000000fe", "original"),
            hash("b", "0000000000000001"),
            hash("c", "1111111111111111", "original", 2)
          ])
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
          yield* state.saveImageHashes([
            hash("a", "000000000000000a", "thumbnail"),
            hash("a", "00000000000000aa"),
            hash("b", "000000000000000b"),
            hash("c", "000000000000000c"),
            hash("d", "000000000000000d")
          ])
          yield* state.markPosted({ contentHash: hex("a"), sha256: hex("1"), imageName: "a.jpg", runId: "r" })
          yield* state.importPosted({ sha256s: [], contentHashes: [hex("b")], source: "import:x" })
          yield* state.recordPublication({
            runId: "r",
            contentHash: hex("c"),
            imageName: "c.jpg",
            platform: "telegram",
            ok: true
          })
          yield* state.recordPublication({
            runId: "r",
            contentHash: hex("d"),
            imageName: "d.jpg",
            platform: "telegram",
            ok: false
          })
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
          const record = {
            contentHash: hex("e"),
            imageName: "e.jpg",
            duplicateOf: hex("a"),
            duplicateOfName: "a.jpg",
            distance: 3,
            runId: "r1"
          }
          yield* state.recordNearDuplicate(record)
          yield* state.recordNearDuplicate({ ...record, runId: "r2", distance: 5 })
          expect(yield* state.nearDuplicateContentHashes).toEqual(new Set([hex("e")]))
        })
      ))

    it.effect("posted captions: the first recorded per image stays; the latest come newest first, at most `limit`", () =>
      withState((state) =>
        Effect.gen(function*() {
          expect(yield* state.recentCaptions(5)).toEqual([])
          for (const [c, caption] of [["1", "first"], ["2", "second"], ["3", "third"]] as const) {
            yield* state.recordCaption({ contentHash: hex(c), caption })
            yield* TestClock.adjust("1 second")
          }
          yield* state.recordCaption({ contentHash: hex("1"), caption: "again" })
          expect(yield* state.recentCaptions(2)).toEqual(["third", "second"])
          expect(yield* state.recentCaptions(10)).toEqual(["third", "second", "first"])
          expect(yield* state.recentCaptions(0)).toEqual([])
          expect((yield* state.exportAll).postedCaptions.map((p) => p.caption)).toEqual(["first", "second", "third"])
        })
      ))

    it.effect("settings: absent until set, replaced by a later set", () =>
      withState((state) =>
        Effect.gen(function*() {
          expect(Option.isNone(yield* state.getSetting("caption_examples"))).toBe(true)
          yield* state.setSetting("caption_examples", "[\"a\"]")
          yield* state.setSetting("caption_examples", "[\"b\"]")
          expect(yield* state.getSetting("caption_examples")).toEqual(Option.some("[\"b\"]"))
          expect((yield* state.exportAll).settings.map((s) => [s.name, s.value])).toEqual([[
            "caption_examples",
            "[\"b\"]"
          ]])
        })
      ))

    it.effect("unusable images: recorded once (a second record changes nothing), read back by content_hash", () =>
      withState((state) =>
        Effect.gen(function*() {
          expect(yield* state.unusableContentHashes).toEqual(new Set())
          yield* state.recordUnusable({
            contentHash: hex("F"),
            imageName: "f.jpg",
            reason: "not an image",
            runId: "r1"
          })
          yield* state.recordUnusable({ contentHash: hex("f"), imageName: "f.jpg", reason: "again", runId: "r2" })
          expect(yield* state.unusableContentHashes).toEqual(new Set([hex("f")]))
          expect((yield* state.exportAll).unusableImages.map((u) => [u.reason, u.run_id])).toEqual([[
            "not an image",
            "r1"
          ]])
        })
      ))
  })

  describe(`leases on ${backend}`, () => {
    it.effect("one holder at a time; expired or replaced holders give way; renew and release only by the owner", () =>
      Effect.gen(function*() {
        const state = yield* State
        expect(yield* state.acquireLease("l", holder("a", 1000))).toEqual(holder("a", 1000))
        // Held and not expired: b is told who holds it.
        expect((yield* state.acquireLease("l", holder("b", 2000))).owner).toBe("a")
        // Another name is another lease.
        expect((yield* state.acquireLease("other", holder("b", 2000))).owner).toBe("b")
        // Only the owner renews or releases.
        expect(yield* state.renewLease("l", "b", 500_000)).toBe(false)
        expect(yield* state.renewLease("l", "a", 100_000)).toBe(true)
        yield* state.releaseLease("l", "b")
        // Renewed to 100 s: at 70 s it is still a's; at 100 s it has expired and b takes it.
        expect((yield* state.acquireLease("l", holder("b", 70_000))).owner).toBe("a")
        expect(yield* state.acquireLease("l", holder("b", 100_000))).toEqual(holder("b", 100_000))
        // Replacing a named (dead) holder, and only that one.
        expect((yield* state.acquireLease("l", holder("c", 110_000), "a")).owner).toBe("b")
        expect((yield* state.acquireLease("l", holder("c", 110_000), "b")).owner).toBe("c")
        expect(yield* state.renewLease("l", "b", 900_000)).toBe(false)
        yield* state.releaseLease("l", "c")
        expect((yield* state.acquireLease("l", holder("d", 120_000))).owner).toBe("d")
      }).pipe(Effect.provide(layer)))
  })

  describe(`copying a whole history on ${backend}`, () => {
    it.effect("exportAll / importAll: every table's rows arrive once, publications in order; a second copy adds nothing", () =>
      Effect.gen(function*() {
        const dump = yield* withState((state) =>
          Effect.gen(function*() {
            yield* state.markPosted(image)
            yield* state.importPosted({ sha256s: [hex("9")], contentHashes: [hex("8")], source: "import:x" })
            yield* state.recordPublication({
              runId: "r1",
              contentHash: hex("a"),
              imageName: "a.jpg",
              platform: "telegram",
              ok: false,
              error: "timeout",
              uncertain: true
            })
            yield* state.recordPublication({
              runId: "r2",
              contentHash: hex("a"),
              imageName: "a.jpg",
              platform: "telegram",
              ok: true,
              postId: "5"
            })
            yield* state.recordPublication({
              runId: "r1",
              contentHash: hex("a"),
              imageName: "a.jpg",
              platform: "email",
              ok: false,
              error: "lost",
              uncertain: true
            })
            yield* state.recordPublication({
              runId: "r2",
              contentHash: hex("a"),
              imageName: "a.jpg",
              platform: "email",
              ok: false,
              error: "refused"
            })
            yield* state.saveImageHashes([hash("a", "00000000000000aa")])
            yield* state.recordNearDuplicate({
              contentHash: hex("e"),
              imageName: "e.jpg",
              duplicateOf: hex("a"),
              duplicateOfName: "a.jpg",
              distance: 3,
              runId: "r2"
            })
            yield* state.recordUnusable({
              contentHash: hex("f"),
              imageName: "f.jpg",
              reason: "not an image",
              runId: "r2"
            })
            yield* state.recordCaption({ contentHash: hex("a"), caption: "A caption" })
            yield* state.setSetting("caption_examples", "[]")
            yield* state.acquireLease("publishing", holder("r3", 0))
            return yield* state.exportAll
          })
        )
        expect([
          dump.postedHashes.length,
          dump.publications.length,
          dump.imageHashes.length,
          dump.nearDuplicates.length,
          dump.unusableImages.length,
          dump.postedCaptions.length,
          dump.settings.length
        ]).toEqual([4, 4, 1, 1, 1, 1, 1])
        yield* withState((target) =>
          Effect.gen(function*() {
            yield* target.markPosted(image) // already here: not counted again
            expect(yield* target.importAll(dump)).toEqual({
              posted_hashes: 2,
              publications: 4,
              image_hashes: 1,
              near_duplicates: 1,
              unusable_images: 1,
              posted_captions: 1,
              settings: 1
            })
            expect(yield* target.importAll(dump)).toEqual({
              posted_hashes: 0,
              publications: 0,
              image_hashes: 0,
              near_duplicates: 0,
              unusable_images: 0,
              posted_captions: 0,
              settings: 0
            })
            expect(yield* target.recentCaptions(5)).toEqual(["A caption"])
            expect(yield* target.unusableContentHashes).toEqual(new Set([hex("f")]))
            expect(yield* target.postedContentHashes).toEqual(new Set([hex("a"), hex("8")]))
            expect(yield* target.isPostedSha256(hex("9"))).toBe(true)
            const history = yield* target.platformHistory(hex("a"))
            expect(history.successes.map((s) => s.postId)).toEqual(["5"])
            // Email's latest attempt (refused) is not uncertain: the copy kept the order of attempts.
            expect(history.uncertain).toEqual([])
            expect((yield* target.postedImageHashes("imagehash-phash-8x8", 1)).map((p) => p.phash)).toEqual([
              "00000000000000aa"
            ])
            expect(yield* target.nearDuplicateContentHashes).toEqual(new Set([hex("e")]))
            // Leases are not history: free in the copy.
            expect((yield* target.acquireLease("publishing", holder("other", 0))).owner).toBe("other")
          })
        )
      }))
  })
}
