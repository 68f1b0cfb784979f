import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Ref } from "effect"
import { renderSidecar } from "../../src/domain/CaptionSidecar.js"
import { publishOne } from "../../src/programs/publishOne.js"
import type { RunOptions } from "../../src/programs/RunOptions.js"
import { bytesOf, image, makeFakes, sampleAnalysis, sampleCaptions } from "../support/fakes.js"

const options = (overrides: Partial<RunOptions> = {}): RunOptions => ({
  correlationId: "11111111-2222-4333-8444-555555555555",
  folder: "/photos",
  archiveFolder: "/photos/archive",
  dryPublish: false,
  preview: false,
  ...overrides
})

const images = [image("a.jpg"), image("b.jpg"), image("c.jpg")]

describe("publishOne", () => {
  it.effect("downloads exactly one image, publishes, records and archives it", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images, postedHashes: ["hash-a.jpg", "hash-b.jpg"] })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(rec.downloads).toEqual(["/photos/c.jpg"])
      // The listing showed no sidecar: none is read.
      expect(rec.sidecarReads).toEqual([])
      expect(result.image).toBe("c.jpg")
      expect(result.published).toEqual({ telegram: { ok: true, id: "telegram-1" } })
      expect(rec.aiCalls).toEqual(["analyze", "captionPair"])
      expect(rec.sidecarWrites.has("/photos/c.txt")).toBe(true)
      expect(rec.posted.has("hash-c.jpg")).toBe(true)
      expect(rec.moves).toEqual([{ from: "/photos/c.jpg", to: "/photos/archive/c.jpg" }])
      expect(result.archived).toBe(true)
      expect(result.ok).toBe(true)
      expect(Object.keys(result.timings).sort()).toEqual([
        "archive_ms",
        "caption_generation_ms",
        "dropbox_list_images_ms",
        "image_selection_ms",
        "publish_parallel_ms",
        "sidecar_write_ms",
        "vision_analysis_ms"
      ])
    }))

  it.effect("says 'no new images' without downloading anything when all are posted", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images, postedHashes: images.map((i) => i.contentHash) })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(result.image).toBeNull()
      expect(result.ok).toBe(true)
      expect(result.message).toMatch(/No new images/)
      expect(rec.downloads).toEqual([])
      expect(rec.sidecarReads).toEqual([])
      expect(rec.aiCalls).toEqual([])
    }))

  it.live("runs the publishers concurrently", () =>
    Effect.gen(function*() {
      const started = yield* Ref.make(0)
      const bothStarted = yield* Deferred.make<void>()
      const { layer, rec } = makeFakes({
        images,
        platforms: ["telegram", "instagram", "email"],
        // Each publisher waits until all three have started: run one at a time, this never ends.
        duringPublish: () =>
          Ref.updateAndGet(started, (n) => n + 1).pipe(
            Effect.tap((n) => (n === 3 ? Deferred.succeed(bothStarted, undefined) : Effect.void)),
            Effect.zipRight(Deferred.await(bothStarted))
          )
      })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer), Effect.timeout("5 seconds"))
      expect(rec.published.map((p) => p.platform).sort()).toEqual(["email", "instagram", "telegram"])
      expect(result.ok).toBe(true)
    }))

  it.effect("archives nothing and fails when every platform failed", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images: [images[0]!], platforms: ["telegram", "email"], failing: ["telegram", "email"] })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(result.ok).toBe(false)
      expect(result.archived).toBe(false)
      expect(rec.moves).toEqual([])
      expect(rec.posted.size).toBe(0)
      expect(result.published["telegram"]).toEqual({ ok: false, error: "telegram is down" })
      expect(rec.publications).toEqual([
        { platform: "telegram", ok: false, contentHash: "hash-a.jpg" },
        { platform: "email", ok: false, contentHash: "hash-a.jpg" }
      ])
    }))

  it.effect("archives when at least one platform succeeded, keeping each result", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images: [images[0]!], platforms: ["telegram", "email"], failing: ["email"] })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(result.ok).toBe(true)
      expect(result.archived).toBe(true)
      expect(result.published["email"]?.ok).toBe(false)
      expect(result.published["telegram"]?.ok).toBe(true)
      expect(result.message).toMatch(/failed on email/)
      expect(rec.moves).toHaveLength(1)
    }))

  it.effect("does not post again where an earlier run already succeeded", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({
        images: [images[0]!],
        platforms: ["telegram", "email"],
        alreadyPublished: [{ platform: "telegram", postId: "42", runId: "earlier", at: "2026-01-01T00:00:00Z" }]
      })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(rec.published.map((p) => p.platform)).toEqual(["email"])
      expect(result.published["telegram"]).toEqual({ ok: true, already_published: true, id: "42" })
    }))

  it.effect("dry-publish writes the sidecar only: no publish, archive or state change", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images: [images[0]!] })
      const result = yield* publishOne(options({ dryPublish: true })).pipe(Effect.provide(layer))
      expect(result.caption).toBe(sampleCaptions.caption)
      expect([...rec.sidecarWrites.keys()]).toEqual(["/photos/a.txt"])
      expect(rec.published).toEqual([])
      expect(rec.moves).toEqual([])
      expect(rec.posted.size).toBe(0)
      expect(rec.publications).toEqual([])
    }))

  it.effect("preview has no side effects at all", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images: [images[0]!] })
      const result = yield* publishOne(options({ preview: true })).pipe(Effect.provide(layer))
      expect(result.preview).toBe(true)
      expect(result.sd_caption).toBe(sampleCaptions.sd_caption)
      expect(rec.sidecarWrites.size).toBe(0)
      expect(rec.published).toEqual([])
      expect(rec.moves).toEqual([])
      expect(rec.posted.size).toBe(0)
    }))

  it.effect("answers from a complete sidecar with zero AI calls", () =>
    Effect.gen(function*() {
      const a = image("a.jpg", "hash-a.jpg", true)
      const sidecar = renderSidecar({
        image: a,
        sha256: "0".repeat(64),
        analysis: sampleAnalysis,
        captions: sampleCaptions,
        models: { vision: "v", caption: "c" },
        created: "2026-01-01T00:00:00.000Z"
      })
      const { layer, rec } = makeFakes({ images: [a], sidecars: { "/photos/a.txt": sidecar } })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(rec.aiCalls).toEqual([])
      expect(result.from_sidecar).toBe(true)
      expect(result.caption).toBe(sampleCaptions.caption)
      expect(rec.published).toHaveLength(1)
    }))

  it.effect("--select picks that file even when posted", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images, postedHashes: images.map((i) => i.contentHash) })
      const result = yield* publishOne(options({ select: "B.JPG" })).pipe(Effect.provide(layer))
      expect(result.image).toBe("b.jpg")
      expect(rec.downloads).toEqual(["/photos/b.jpg"])
    }))

  it.effect("--select of an unknown name is a UsageError", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images })
      const exit = yield* publishOne(options({ select: "nope.jpg" })).pipe(Effect.provide(layer), Effect.exit)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("UsageError")
      expect(rec.downloads).toEqual([])
    }))

  it.effect("skips an image publisher_v2 posted (by sha256) and records it by content_hash", () =>
    Effect.gen(function*() {
      const shaOfA = createHash("sha256").update(bytesOf("/photos/a.jpg")).digest("hex")
      const { layer, rec } = makeFakes({ images: [images[0]!], postedSha256: [shaOfA] })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(result.image).toBeNull()
      expect(result.skipped).toEqual([{ image: "a.jpg", reason: "posted by publisher_v2 (sha256 match)" }])
      expect(rec.posted.has("hash-a.jpg")).toBe(true)
      expect(rec.published).toEqual([])
      expect(rec.aiCalls).toEqual([])
    }))

  it.effect("after a sha256 skip, posts the next candidate", () =>
    Effect.gen(function*() {
      const shaOfA = createHash("sha256").update(bytesOf("/photos/a.jpg")).digest("hex")
      const { layer, rec } = makeFakes({ images: images.slice(0, 2), postedSha256: [shaOfA] })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(result.image).toBe("b.jpg")
      expect(rec.published.map((p) => p.image)).toEqual(["b.jpg"])
    }))
})
