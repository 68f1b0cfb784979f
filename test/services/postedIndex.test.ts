import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { PostedIndex, PostedIndexLive } from "../../src/services/dedup/PostedIndex.js"
import { SqliteStateMemory } from "../../src/services/state/SqliteLive.js"
import { State } from "../../src/services/state/State.js"

const hex = (c: string) => c.repeat(64)

describe("PostedIndex built from State", () => {
  it.effect("holds posted images with a hash of the current algorithm, nearest first", () =>
    Effect.gen(function*() {
      const state = yield* State
      const row = (c: string, phash: string, version = 1) => ({
        contentHash: hex(c),
        imageName: `${c}.jpg`,
        phash,
        algorithm: "imagehash-phash-8x8",
        version,
        source: "original" as const
      })
      yield* state.saveImageHashes([
        row("a", "0000000000000000"),
        row("b", "00000000000000ff"),
        row("c", "0000000000000001"),
        row("d", "0000000000000003", 2)
      ])
      for (const c of ["a", "b", "d"]) {
        yield* state.markPosted({
          contentHash: hex(c),
          sha256: hex(c === "a" ? "1" : c === "b" ? "2" : "4"),
          imageName: `${c}.jpg`,
          runId: "r"
        })
      }
      // c is hashed but not posted; d is posted but hashed by another algorithm version.
      const index = yield* Effect.provide(PostedIndex, PostedIndexLive.pipe(Layer.provide(Layer.succeed(State, state))))
      expect(yield* index.size).toBe(2)
      expect((yield* index.nearest("0000000000000001", 5, 10)).map((m) => [m.imageName, m.distance])).toEqual([[
        "a.jpg",
        1
      ], ["b.jpg", 7]])
      expect(yield* index.nearest("0000000000000001", 5, 0)).toEqual([])
      yield* index.add({ contentHash: hex("e"), imageName: "e.jpg", phash: "0000000000000001" })
      yield* index.add({ contentHash: hex("e"), imageName: "e-again.jpg", phash: "ffffffffffffffff" }) // same content: ignored
      expect(yield* index.size).toBe(3)
      expect((yield* index.nearest("0000000000000001", 1, 10)).map((m) => m.imageName)).toEqual(["e.jpg"])
    }).pipe(Effect.provide(SqliteStateMemory)))
})
