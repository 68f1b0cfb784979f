import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { SqliteStateMemory } from "../../../src/services/state/SqliteLive.js"
import { State } from "../../../src/services/state/State.js"

const hex = (c: string) => c.repeat(64)
const image = { contentHash: hex("a"), sha256: hex("b"), imageName: "a.jpg", runId: "run-1" }
const withState = <A, E>(body: (state: State["Type"]) => Effect.Effect<A, E>) =>
  State.pipe(Effect.flatMap(body), Effect.provide(SqliteStateMemory))

describe("SqlState on SQLite", () => {
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
        expect(yield* state.importPosted({ sha256s: [], contentHashes: [], source: "import:empty" })).toEqual({ added: 0, total: 0 })
      })
    ))

  it.live("100,000 hashes: import in one transaction, postedContentHashes in one fast query", () =>
    withState((state) =>
      Effect.gen(function*() {
        const hashes = Array.from({ length: 100_000 }, (_, i) => i.toString(16).padStart(64, "0"))
        const started = performance.now()
        expect(yield* state.importPosted({ sha256s: [], contentHashes: hashes, source: "import:big" })).toEqual({
          added: 100_000,
          total: 100_000
        })
        const imported = performance.now()
        const posted = yield* state.postedContentHashes
        const read = performance.now()
        expect(posted.size).toBe(100_000)
        expect(posted.has(hashes[99_999]!)).toBe(true)
        expect(imported - started).toBeLessThan(10_000)
        expect(read - imported).toBeLessThan(2_000)
        expect(yield* state.importPosted({ sha256s: [], contentHashes: hashes, source: "import:big" })).toEqual({
          added: 0,
          total: 100_000
        })
      })
    ), 60_000)

  it.effect("ping answers", () => withState((state) => state.ping))
})

describe("publications", () => {
  const base = { contentHash: hex("a"), imageName: "a.jpg" }

  it.effect("newest success per platform, failures ignored, runs counted; other images apart", () =>
    withState((state) =>
      Effect.gen(function*() {
        yield* state.recordPublication({ ...base, runId: "r1", platform: "telegram", ok: true, postId: "7" })
        yield* state.recordPublication({ ...base, runId: "r1", platform: "email", ok: false, error: "down" })
        yield* state.recordPublication({ ...base, runId: "r2", platform: "telegram", ok: true, postId: "9" })
        yield* state.recordPublication({ ...base, runId: "r2", platform: "email", ok: true })
        yield* state.recordPublication({ ...base, contentHash: hex("b"), runId: "r3", platform: "instagram", ok: true, postId: "x" })
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
        yield* state.recordPublication({ ...base, runId: "r2", platform: "telegram", ok: false, error: "timeout", uncertain: true })
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
        yield* state.recordPublication({ ...base, runId: "r1", platform: "instagram", ok: false, error: "timeout", uncertain: true })
        yield* state.recordPublication({ ...base, runId: "r1", platform: "email", ok: false, error: "timeout", uncertain: true })
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

  it.effect("publishedContentHashes: images live on at least one platform", () =>
    withState((state) =>
      Effect.gen(function*() {
        yield* state.recordPublication({ ...base, runId: "r1", platform: "telegram", ok: true, postId: "1" })
        yield* state.recordPublication({ ...base, runId: "r1", platform: "email", ok: true })
        yield* state.recordPublication({ ...base, contentHash: hex("b"), runId: "r1", platform: "email", ok: false })
        yield* state.recordPublication({ ...base, contentHash: hex("c"), runId: "r1", platform: "email", ok: false, uncertain: true })
        expect(yield* state.publishedContentHashes).toEqual(new Set([hex("a")]))
      })
    ))
})
