import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Metric, Random } from "effect"
import { publishOne } from "../../src/programs/publishOne.js"
import type { RunOptions } from "../../src/programs/RunOptions.js"
import { nearDuplicatesSkipped, unusableImagesSkipped } from "../../src/services/telemetry/metrics.js"
import { image, makeFakes } from "../support/fakes.js"

const options = (overrides: Partial<RunOptions> = {}): RunOptions => ({
  correlationId: "near-run",
  folder: "/photos",
  archiveFolder: "/photos/archive",
  dryPublish: false,
  preview: false,
  maxAttempts: 3,
  nearDuplicate: { distance: 8, maxSkips: 5 },
  ...overrides
})

const posted = [{ contentHash: "hash-posted.jpg", imageName: "posted.jpg", phash: "0000000000000000" }]
/** copy.jpg is 8 bits from posted.jpg (the default limit), other.jpg 9 bits. */
const phashes = { "copy.jpg": "00000000000000ff", "other.jpg": "00000000000001ff" }

describe("near-duplicates in the workflow", () => {
  it.effect("a candidate within the distance is skipped and recorded; another is posted", () =>
    Effect.gen(function*() {
      let copyFirst = 0
      for (let seed = 0; seed < 12; seed++) {
        const { layer, rec } = makeFakes({
          images: [image("copy.jpg"), image("other.jpg")],
          phashes,
          postedPhashes: posted
        })
        const result = yield* publishOne(options()).pipe(Effect.provide(layer), Effect.withRandom(Random.make(seed)))
        expect(result.image).toBe("other.jpg")
        expect(rec.published.map((p) => p.image)).toEqual(["other.jpg"])
        // Every hashed image's hash is stored (the scan's cache).
        expect(rec.hashes.map((h) => h.imageName).sort()).toEqual([...rec.hashed].sort())
        expect(rec.hashes.every((h) => h.source === "original" && h.algorithm === "imagehash-phash-8x8")).toBe(true)
        if (rec.hashed[0] !== "copy.jpg") continue
        copyFirst++
        expect(result.skipped).toEqual([{
          image: "copy.jpg",
          reason: "near-duplicate of posted posted.jpg (distance 8)",
          code: "near_duplicate",
          near_duplicate_of: "posted.jpg",
          distance: 8
        }])
        expect(rec.nearDuplicates).toEqual([{
          contentHash: "hash-copy.jpg",
          imageName: "copy.jpg",
          duplicateOf: "hash-posted.jpg",
          duplicateOfName: "posted.jpg",
          distance: 8,
          runId: "near-run"
        }])
      }
      // The shuffle put the copy first for some seeds: the skip was exercised.
      expect(copyFirst).toBeGreaterThan(0)
    }))

  it.effect("a recorded near-duplicate is skipped by content_hash, without a download", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images: [image("copy.jpg")], phashes, postedPhashes: posted })
      const counted = (yield* Metric.value(nearDuplicatesSkipped)).count
      const first = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect((yield* Metric.value(nearDuplicatesSkipped)).count).toBe(counted + 1)
      expect(first.image).toBeNull()
      expect(first.skipped.map((s) => s.code)).toEqual(["near_duplicate"])
      expect(first.message).toBe("No new images in /photos: 1 near-duplicate of a posted photo")
      expect(rec.downloads).toEqual(["/photos/copy.jpg"])
      const second = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(second.image).toBeNull()
      expect(rec.downloads).toEqual(["/photos/copy.jpg"]) // not downloaded again
      expect(rec.published).toEqual([])
    }))

  it.effect("one bit beyond the distance is not a near-duplicate; distance 0 turns the check off", () =>
    Effect.gen(function*() {
      const beyond = makeFakes({ images: [image("other.jpg")], phashes, postedPhashes: posted })
      expect((yield* publishOne(options()).pipe(Effect.provide(beyond.layer))).image).toBe("other.jpg")
      const off = makeFakes({
        images: [image("copy.jpg")],
        phashes: { "copy.jpg": "0000000000000000" },
        postedPhashes: posted
      })
      const result = yield* publishOne(options({ nearDuplicate: { distance: 0, maxSkips: 5 } })).pipe(
        Effect.provide(off.layer)
      )
      expect(result.image).toBe("copy.jpg")
      expect(off.rec.nearDuplicates).toEqual([])
    }))

  it.effect("stops after NEAR_DUPLICATE_MAX_SKIPS near-duplicates: downloads no more, says why", () =>
    Effect.gen(function*() {
      const names = ["n1.jpg", "n2.jpg", "n3.jpg", "n4.jpg"]
      const { layer, rec } = makeFakes({
        images: names.map((n) => image(n)),
        phashes: Object.fromEntries(names.map((n, i) => [n, `000000000000000${i + 1}`])),
        postedPhashes: posted
      })
      const result = yield* publishOne(options({ nearDuplicate: { distance: 8, maxSkips: 2 } })).pipe(
        Effect.provide(layer)
      )
      expect(result.image).toBeNull()
      expect(result.ok).toBe(true)
      expect(rec.downloads).toHaveLength(2)
      expect(result.skipped).toHaveLength(2)
      expect(rec.nearDuplicates).toHaveLength(2)
      expect(result.message).toMatch(/skipped 2 near-duplicates.*NEAR_DUPLICATE_MAX_SKIPS=2/)
      // The next run goes on with the others.
      const next = yield* publishOne(options({ nearDuplicate: { distance: 8, maxSkips: 2 } })).pipe(
        Effect.provide(layer)
      )
      expect(rec.downloads).toHaveLength(4)
      expect(new Set(rec.downloads).size).toBe(4)
      expect(next.skipped).toHaveLength(2)
    }))

  it.effect("the posted image joins the index: its copy is skipped by the next run of the same process", () =>
    Effect.gen(function*() {
      const images = [image("first.jpg")]
      const { layer, rec } = makeFakes({
        images,
        phashes: { "first.jpg": "ffffffffffffffff", "copy-of-first.jpg": "fffffffffffffff0" }
      })
      const services = yield* Layer.build(layer)
      const first = yield* publishOne(options()).pipe(Effect.provide(services))
      expect(first.image).toBe("first.jpg")
      images.push(image("copy-of-first.jpg")) // a re-export appears in the folder
      const second = yield* publishOne(options()).pipe(Effect.provide(services))
      expect(second.image).toBeNull()
      expect(second.skipped).toEqual([
        expect.objectContaining({ image: "copy-of-first.jpg", near_duplicate_of: "first.jpg", distance: 4 })
      ])
      expect(rec.published.map((p) => p.image)).toEqual(["first.jpg"])
    }).pipe(Effect.scoped))

  it.effect("dry-publish and preview report a near-duplicate but record nothing; preview stores no hash", () =>
    Effect.gen(function*() {
      for (const mode of [{ dryPublish: true }, { preview: true }]) {
        const { layer, rec } = makeFakes({ images: [image("copy.jpg")], phashes, postedPhashes: posted })
        const result = yield* publishOne(options(mode)).pipe(Effect.provide(layer))
        expect(result.skipped.map((s) => s.code)).toEqual(["near_duplicate"])
        expect(rec.nearDuplicates).toEqual([])
        expect(rec.hashes).toHaveLength("preview" in mode ? 0 : 1)
      }
    }))

  it.effect("--select posts the chosen image even when it is a near-duplicate", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images: [image("copy.jpg")], phashes, postedPhashes: posted })
      const result = yield* publishOne(options({ select: "copy.jpg" })).pipe(Effect.provide(layer))
      expect(result.image).toBe("copy.jpg")
      expect(rec.nearDuplicates).toEqual([])
    }))

  it.effect("a file no decoder reads is skipped and remembered; the run posts another; later runs never download it again", () =>
    Effect.gen(function*() {
      // A seed whose shuffle tries odd.jpg first.
      let picked: {
        layer: ReturnType<typeof makeFakes>["layer"]
        rec: ReturnType<typeof makeFakes>["rec"]
        first: Effect.Effect.Success<ReturnType<typeof publishOne>>
      } | undefined
      for (let seed = 0; seed < 20 && picked === undefined; seed++) {
        const fakes = makeFakes({
          images: [image("odd.jpg"), image("fine.jpg")],
          undecodable: ["odd.jpg"],
          postedPhashes: posted
        })
        const first = yield* publishOne(options()).pipe(
          Effect.provide(fakes.layer),
          Effect.withRandom(Random.make(seed))
        )
        expect(first.image).toBe("fine.jpg")
        if (fakes.rec.hashed[0] === "odd.jpg") picked = { ...fakes, first }
      }
      const { first, layer, rec } = picked!
      expect(first.skipped).toEqual([{
        image: "odd.jpg",
        reason: "not a usable image (cannot hash odd.jpg: not an image)",
        code: "unusable"
      }])
      expect(rec.unusable).toEqual(new Map([["hash-odd.jpg", "cannot hash odd.jpg: not an image"]]))
      const second = yield* publishOne(options({ correlationId: "second-run" })).pipe(Effect.provide(layer))
      expect(second.message).toMatch(/No new images/)
      expect(rec.downloads.filter((d) => d.endsWith("odd.jpg"))).toHaveLength(1)
    }))

  it.effect("a preview records nothing; --select of such a file goes on to the analysis (which says why it fails)", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images: [image("odd.jpg")], undecodable: ["odd.jpg"], postedPhashes: posted })
      const preview = yield* publishOne(options({ preview: true })).pipe(Effect.provide(layer))
      expect(preview.skipped.map((s) => s.code)).toEqual(["unusable"])
      expect(rec.unusable.size).toBe(0)
      const selected = yield* publishOne(options({ select: "odd.jpg", preview: true })).pipe(Effect.provide(layer))
      expect(selected.image).toBe("odd.jpg")
    }))

  it.effect("at most 5 unusable files per run: then it stops, saying so", () =>
    Effect.gen(function*() {
      const names = ["b1.jpg", "b2.jpg", "b3.jpg", "b4.jpg", "b5.jpg", "b6.jpg"]
      const counted = (yield* Metric.value(unusableImagesSkipped)).count
      const { layer, rec } = makeFakes({
        images: names.map((n) => image(n)),
        undecodable: names,
        postedPhashes: posted
      })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(result.image).toBeNull()
      expect(result.message).toBe(
        "Nothing posted: skipped 5 files that are not usable images; the next run tries other images"
      )
      expect(rec.downloads).toHaveLength(5)
      expect(rec.unusable.size).toBe(5)
      expect((yield* Metric.value(unusableImagesSkipped)).count).toBe(counted + 5)
    }))

  it.effect("without options, NEAR_DUPLICATE_DISTANCE and NEAR_DUPLICATE_MAX_SKIPS apply", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images: [image("other.jpg")], phashes, postedPhashes: posted })
      const { nearDuplicate: _, ...rest } = options()
      const result = yield* publishOne(rest).pipe(
        Effect.provide(layer),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["NEAR_DUPLICATE_DISTANCE", "9"]])))
      )
      expect(result.image).toBeNull()
      expect(rec.nearDuplicates.map((n) => n.distance)).toEqual([9])
    }))
})
