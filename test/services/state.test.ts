import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { State } from "../../src/services/state/State.js"
import { sqliteState } from "../../src/services/state/SqliteLive.js"

const hex = (c: string) => c.repeat(64)

describe("SQLite state", () => {
  it.effect("markPosted is idempotent and feeds postedContentHashes and isPostedSha256", () =>
    Effect.gen(function*() {
      const state = yield* State
      const image = { contentHash: hex("a"), sha256: hex("b"), imageName: "a.jpg", runId: "run-1" }
      yield* state.markPosted(image)
      yield* state.markPosted(image)
      expect([...(yield* state.postedContentHashes)]).toEqual([hex("a")])
      expect(yield* state.isPostedSha256(hex("b"))).toBe(true)
      expect(yield* state.isPostedSha256(hex("c"))).toBe(false)
    }).pipe(Effect.provide(sqliteState(":memory:"))))

  it.effect("importPosted counts new hashes and is idempotent", () =>
    Effect.gen(function*() {
      const state = yield* State
      const input = { sha256s: [hex("1"), hex("2")], contentHashes: [hex("3")], source: "import:test" }
      expect(yield* state.importPosted(input)).toEqual({ added: 3, total: 3 })
      expect(yield* state.importPosted(input)).toEqual({ added: 0, total: 3 })
      expect(yield* state.importPosted({ ...input, sha256s: [hex("1"), hex("4")] })).toEqual({ added: 1, total: 3 })
      expect(yield* state.postedContentHashes).toEqual(new Set([hex("3")]))
      expect(yield* state.isPostedSha256(hex("4"))).toBe(true)
    }).pipe(Effect.provide(sqliteState(":memory:"))))

  it.effect("platformHistory: successes per platform, uncertain outcomes, runs; publishedContentHashes", () =>
    Effect.gen(function*() {
      const state = yield* State
      const base = { contentHash: hex("a"), imageName: "a.jpg" }
      yield* state.recordPublication({ ...base, runId: "r1", platform: "telegram", ok: true, postId: "7" })
      yield* state.recordPublication({ ...base, runId: "r1", platform: "email", ok: false, error: "down" })
      yield* state.recordPublication({ ...base, runId: "r1", platform: "instagram", ok: false, error: "timeout", uncertain: true })
      yield* state.recordPublication({ ...base, contentHash: hex("b"), runId: "r2", platform: "email", ok: false })
      const history = yield* state.platformHistory(hex("a"))
      expect(history.successes.map((d) => [d.platform, d.postId, d.runId])).toEqual([["telegram", "7", "r1"]])
      expect(history.uncertain).toEqual(["instagram"])
      expect(history.runs).toBe(1)
      expect(yield* state.publishedContentHashes).toEqual(new Set([hex("a")]))
      expect(yield* state.platformHistory(hex("c"))).toEqual({ successes: [], uncertain: [], runs: 0 })
    }).pipe(Effect.provide(sqliteState(":memory:"))))

  it.live("persists across reopenings of the same file; migrations run once", () =>
    Effect.gen(function*() {
      const file = join(yield* Effect.promise(() => mkdtemp(join(tmpdir(), "publisher-state-"))), "state.db")
      const image = { contentHash: hex("d"), sha256: hex("e"), imageName: "d.jpg", runId: "run-1" }
      yield* State.pipe(Effect.flatMap((s) => s.markPosted(image)), Effect.provide(sqliteState(file)))
      const posted = yield* State.pipe(Effect.flatMap((s) => s.postedContentHashes), Effect.provide(sqliteState(file)))
      expect(posted).toEqual(new Set([hex("d")]))
    }))

  it.live("an unusable database file is a StateError, not a crash", () =>
    Effect.gen(function*() {
      const exit = yield* State.pipe(Effect.provide(sqliteState("/proc/definitely/not/here.db")), Effect.exit)
      expect(exit._tag).toBe("Failure")
      if (exit._tag === "Failure") expect(JSON.stringify(exit.cause)).toContain("StateError")
    }))
})
