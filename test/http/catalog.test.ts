import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { ImageCatalog, makeImageCatalog } from "../../src/http/catalog.js"
import { image, makeFakes } from "../support/fakes.js"

const setup = (ttlSeconds: number) => {
  const { layer, rec } = makeFakes({ images: [image("a.jpg"), image("b.jpg")] })
  return { rec, layer: makeImageCatalog("/photos", `${ttlSeconds} seconds`).pipe(Layer.provide(layer)) }
}

describe("ImageCatalog", () => {
  it.effect("concurrent misses share one listing; within the TTL no listing at all", () => {
    const { layer, rec } = setup(30)
    return Effect.gen(function*() {
      const catalog = yield* ImageCatalog
      const results = yield* Effect.all(Array.from({ length: 5 }, () => catalog.list), { concurrency: "unbounded" })
      expect(results.every((r) => r.length === 2)).toBe(true)
      expect(rec.lists).toHaveLength(1)
      yield* TestClock.adjust("29 seconds")
      yield* catalog.list
      expect(rec.lists).toHaveLength(1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("an expired list is served at once while one background refresh runs", () => {
    const { layer, rec } = setup(30)
    return Effect.gen(function*() {
      const catalog = yield* ImageCatalog
      yield* catalog.list
      yield* TestClock.adjust("31 seconds")
      const [a, b] = yield* Effect.all([catalog.list, catalog.list], { concurrency: "unbounded" })
      expect(a).toHaveLength(2)
      expect(b).toHaveLength(2)
      yield* Effect.yieldNow()
      expect(rec.lists).toHaveLength(2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("invalidate makes the next request list again", () => {
    const { layer, rec } = setup(30)
    return Effect.gen(function*() {
      const catalog = yield* ImageCatalog
      yield* catalog.list
      yield* catalog.invalidate
      yield* catalog.list
      expect(rec.lists).toHaveLength(2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a TTL of 0 lists every time", () => {
    const { layer, rec } = setup(0)
    return Effect.gen(function*() {
      const catalog = yield* ImageCatalog
      yield* catalog.list
      yield* catalog.list
      expect(rec.lists).toHaveLength(2)
    }).pipe(Effect.provide(layer))
  })
})
