import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Deferred, Effect, Exit, Ref } from "effect"
import { createHash } from "node:crypto"
import { describeRun } from "../../src/cli/output.js"
import { formatCaption } from "../../src/domain/Caption.js"
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
  maxAttempts: 3,
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
      expect(result.published).toEqual({ telegram: { status: "published", ok: true, id: "telegram-1" } })
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
        "phash_ms",
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
      const { layer, rec } = makeFakes({
        images: [images[0]!],
        platforms: ["telegram", "email"],
        failing: ["telegram", "email"]
      })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(result.ok).toBe(false)
      expect(result.archived).toBe(false)
      expect(rec.moves).toEqual([])
      expect(rec.posted.size).toBe(0)
      expect(result.published["telegram"]).toEqual({ status: "failed", ok: false, error: "telegram is down" })
      // Each call is recorded as in flight (uncertain) first, then with its outcome.
      expect(rec.publications.filter((p) => !p.uncertain).map((p) => [p.platform, p.ok, p.contentHash])).toEqual([
        ["telegram", false, "hash-a.jpg"],
        ["email", false, "hash-a.jpg"]
      ])
      expect(rec.publications.filter((p) => p.uncertain).map((p) => p.platform)).toEqual(["telegram", "email"])
    }))

  it.effect("a partial success is posted (never chosen fresh again) but not archived", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images: [images[0]!], platforms: ["telegram", "email"], failing: ["email"] })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(result.ok).toBe(true)
      expect(result.archived).toBe(false)
      expect(result.published["email"]).toEqual({ status: "failed", ok: false, error: "email is down" })
      expect(result.published["telegram"]).toEqual({ status: "published", ok: true, id: "telegram-1" })
      expect(result.message).toMatch(/not on email \(failed\)/)
      expect(rec.moves).toEqual([])
      expect(rec.posted.has("hash-a.jpg")).toBe(true)
    }))

  it.effect("the next run finishes an unfinished image first: only the missing platform, then archive", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({
        images,
        platforms: ["telegram", "email"],
        postedHashes: ["hash-b.jpg"],
        history: [
          { runId: "r0", contentHash: "hash-b.jpg", imageName: "b.jpg", platform: "telegram", ok: true, postId: "42" },
          { runId: "r0", contentHash: "hash-b.jpg", imageName: "b.jpg", platform: "email", ok: false, error: "down" }
        ]
      })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(result.image).toBe("b.jpg")
      expect(result.resumed).toBe(true)
      expect(rec.published.map((p) => p.platform)).toEqual(["email"])
      expect(result.published).toEqual({
        telegram: { status: "already_published", ok: true, id: "42" },
        email: { status: "published", ok: true, id: "email-1" }
      })
      expect(result.archived).toBe(true)
      expect(rec.downloads).toEqual(["/photos/b.jpg"])
    }))

  it.effect("an image live everywhere but not archived (stopped before archiving) is archived, posting nothing", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({
        images,
        platforms: ["telegram"],
        history: [{
          runId: "r0",
          contentHash: "hash-c.jpg",
          imageName: "c.jpg",
          platform: "telegram",
          ok: true,
          postId: "1"
        }]
      })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(result).toMatchObject({ image: "c.jpg", archived: true, resumed: true })
      expect(rec.published).toEqual([])
      expect(rec.downloads).toEqual([])
      expect(rec.moves).toEqual([{ from: "/photos/c.jpg", to: "/photos/archive/c.jpg" }])
    }))

  it.effect("ARCHIVE_POSTED=false (archiveFolder null): posted images stay, are never chosen again nor 'finished' by a move", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images, platforms: ["telegram"] })
      const stay = options({ archiveFolder: null })
      const first = yield* publishOne(stay).pipe(Effect.provide(layer))
      expect(first).toMatchObject({ ok: true, archived: false, message: `Posted ${first.image}` })
      expect(first.timings["archive_ms"]).toBeUndefined()
      const second = yield* publishOne({ ...stay, correlationId: "second-run" }).pipe(Effect.provide(layer))
      expect(second).toMatchObject({ ok: true, resumed: false, archived: false })
      expect(second.image).not.toBe(first.image)
      expect(rec.moves).toEqual([])
      expect(rec.downloads).toEqual([`/photos/${first.image}`, `/photos/${second.image}`])
      expect(rec.published.map((p) => p.platform)).toEqual(["telegram", "telegram"])
    }))

  it.effect("posted images left in the folder (ARCHIVE_POSTED=false) are looked up in one State call, not one each", () =>
    Effect.gen(function*() {
      const many = Array.from({ length: 300 }, (_, i) => image(`p${String(i).padStart(3, "0")}.jpg`))
      const { layer, rec } = makeFakes({
        images: [...many, image("new.jpg")],
        platforms: ["telegram"],
        postedHashes: many.map((i) => i.contentHash),
        history: many.map((i) => ({
          runId: "r0",
          contentHash: i.contentHash,
          imageName: i.name,
          platform: "telegram",
          ok: true,
          postId: "1"
        }))
      })
      const result = yield* publishOne(options({ archiveFolder: null })).pipe(Effect.provide(layer))
      expect(result).toMatchObject({ image: "new.jpg", resumed: false })
      expect(rec.historyBatches).toEqual([300])
    }))

  it.effect("'no new images' says what the folder holds, counted (never 'all posted' when some files are unusable)", () =>
    Effect.gen(function*() {
      const { layer } = makeFakes({
        images: images.slice(0, 3),
        postedHashes: [images[0]!.contentHash, images[1]!.contentHash],
        undecodable: [images[2]!.name]
      })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(result.image).toBeNull()
      expect(result.message).toBe("No new images in /photos: 2 posted, 1 file is not a usable image")
      const again = yield* publishOne(options({ correlationId: "again" })).pipe(Effect.provide(layer))
      expect(again.message).toBe("No new images in /photos: 2 posted, 1 file is not a usable image")
    }))

  it.effect("an uncertain outcome is never retried automatically", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images: [images[0]!], platforms: ["telegram", "email"], uncertain: ["email"] })
      const first = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(first.published["email"]?.status).toBe("uncertain")
      expect(first.archived).toBe(false)
      const second = yield* publishOne(options({ correlationId: "second-run" })).pipe(Effect.provide(layer))
      expect(second.image).toBeNull()
      expect(second.skipped).toEqual([{
        image: "a.jpg",
        reason: "outcome uncertain on email: see publisher retry",
        code: "uncertain"
      }])
      expect(rec.published.map((p) => p.platform)).toEqual(["telegram"])
    }))

  it.effect("an image uncertain everywhere it was tried is never chosen (or downloaded) again; other photos are posted; the run says it waits", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images: images.slice(0, 2), platforms: ["telegram"], uncertain: ["telegram"] })
      const first = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(first.published["telegram"]?.status).toBe("uncertain")
      const waiting = first.image!
      const other = images.slice(0, 2).find((i) => i.name !== waiting)!.name
      // The platform answers again: the other photo goes out, the waiting one is left alone.
      const { layer: healed, rec: healedRec } = makeFakes({
        images: images.slice(0, 2),
        platforms: ["telegram"],
        history: [...rec.publications]
      })
      const second = yield* publishOne(options({ correlationId: "second" })).pipe(Effect.provide(healed))
      expect(second.image).toBe(other)
      expect(healedRec.downloads).toEqual([`/photos/${other}`])
      expect(second.skipped).toEqual([{
        image: waiting,
        reason:
          `outcome uncertain on telegram: look there; if it was not posted: publisher retry --image ${waiting} --force`,
        code: "uncertain"
      }])
      const last = makeFakes({
        images: [images.find((i) => i.name === waiting)!],
        platforms: ["telegram"],
        history: [...rec.publications]
      })
      const third = yield* publishOne(options({ correlationId: "third", archiveFolder: null })).pipe(
        Effect.provide(last.layer)
      )
      expect(third.image).toBeNull()
      expect(third.ok).toBe(true)
      expect(third.message).toBe("No new images; 1 image waits for a check: see publisher retry")
      expect(last.rec.downloads).toEqual([])
      expect(last.rec.aiCalls).toEqual([])
    }))

  it.effect("after PUBLISH_MAX_ATTEMPTS failed runs an image is left for publisher retry", () =>
    Effect.gen(function*() {
      const failed = (runId: string) => ({
        runId,
        contentHash: "hash-a.jpg",
        imageName: "a.jpg",
        platform: "email",
        ok: false
      })
      const { layer, rec } = makeFakes({
        images: images.slice(0, 2),
        platforms: ["telegram", "email"],
        postedHashes: ["hash-a.jpg"],
        history: [{ ...failed("r1"), platform: "telegram", ok: true }, failed("r1"), failed("r2"), failed("r3")]
      })
      const result = yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(result.image).toBe("b.jpg")
      expect(result.skipped).toEqual([{
        image: "a.jpg",
        reason: "failed 3 times on email: see publisher retry",
        code: "max_attempts"
      }])
      expect(rec.downloads).toEqual(["/photos/b.jpg"])
    }))

  it.effect("--select honours history; --force posts again", () =>
    Effect.gen(function*() {
      const history = [{
        runId: "r0",
        contentHash: "hash-a.jpg",
        imageName: "a.jpg",
        platform: "telegram",
        ok: true,
        postId: "9"
      }]
      const first = makeFakes({ images, postedHashes: ["hash-a.jpg"], history })
      const again = yield* publishOne(options({ select: "a.jpg" })).pipe(Effect.provide(first.layer))
      expect(again.published["telegram"]?.status).toBe("already_published")
      expect(first.rec.published).toEqual([])
      const second = makeFakes({ images, postedHashes: ["hash-a.jpg"], history })
      const forced = yield* publishOne(options({ select: "a.jpg", force: true })).pipe(Effect.provide(second.layer))
      expect(forced.published["telegram"]?.status).toBe("published")
      expect(second.rec.published).toHaveLength(1)
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

  it.effect("preview and dry-publish show what each enabled platform would get, by its own rules", () =>
    Effect.gen(function*() {
      const { layer } = makeFakes({ images: [images[0]!] })
      const config = ConfigProvider.fromMap(
        new Map([
          ["TELEGRAM_BOT_TOKEN", "t"],
          ["EMAIL_SENDER", "me@example.com"],
          ["EMAIL_CAPTION_TARGET", "body"],
          ["EMAIL_SUBJECT_MODE", "private"],
          ["CAPTION_HASHTAGS", "#film"]
        ])
      )
      const preview = yield* publishOne(options({ preview: true })).pipe(
        Effect.provide(layer),
        Effect.withConfigProvider(config)
      )
      expect(preview.caption).toBe(`${sampleCaptions.caption} #film`)
      expect(preview.platform_captions).toEqual({
        telegram: { caption: formatCaption("telegram", preview.caption!) },
        email: { caption: formatCaption("email", preview.caption!), subject: "Private: Photo upload" }
      })
      expect(preview.platform_captions!["email"]!.caption).not.toContain("#")
      const dry = yield* publishOne(options({ dryPublish: true })).pipe(
        Effect.provide(layer),
        Effect.withConfigProvider(config)
      )
      expect(Object.keys(dry.platform_captions ?? {})).toEqual(["telegram", "email"])
      const text = describeRun(preview)
      expect(text).toContain("  would post:\n    telegram:\n")
      expect(text).toContain("    email subject: Private: Photo upload\n    email body:\n")
    }))

  it.effect("a posted caption is recorded; the next caption call is shown the latest ones (CAPTION_HISTORY)", () =>
    Effect.gen(function*() {
      const { layer, rec } = makeFakes({ images, platforms: ["telegram"] })
      yield* publishOne(options()).pipe(Effect.provide(layer))
      expect(rec.captions.map((c) => c.caption)).toEqual([sampleCaptions.caption])
      yield* publishOne(options({ correlationId: "second-run" })).pipe(Effect.provide(layer))
      expect(rec.captionContexts).toEqual([[], [sampleCaptions.caption]])
      // 0 turns it off; a dry run records nothing.
      yield* publishOne(options({ correlationId: "third-run", dryPublish: true })).pipe(
        Effect.provide(layer),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["CAPTION_HISTORY", "0"]])))
      )
      expect(rec.captionContexts.at(-1)).toEqual([])
      expect(rec.captions).toHaveLength(2)
    }))

  it.effect("a caption override is posted as given (no hashtags added) and rewrites the sidecar, even one that was complete", () =>
    Effect.gen(function*() {
      const sidecar = renderSidecar({
        image: image("a.jpg", "hash-a.jpg", true),
        sha256: createHash("sha256").update(bytesOf("a.jpg")).digest("hex"),
        analysis: sampleAnalysis,
        captions: sampleCaptions,
        models: { vision: "v", caption: "c" },
        created: "2026-11-22T10:00:00.000Z"
      })
      const { layer, rec } = makeFakes({
        images: [image("a.jpg", "hash-a.jpg", true)],
        sidecars: { "/photos/a.txt": sidecar }
      })
      const result = yield* publishOne(options({ select: "a.jpg", caption: "  My words.  " })).pipe(
        Effect.provide(layer),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["CAPTION_HASHTAGS", "#film"]])))
      )
      expect(rec.aiCalls).toEqual([])
      expect(result).toMatchObject({ caption: "My words.", from_sidecar: true })
      expect(rec.published.map((p) => p.caption)).toEqual(["My words."])
      expect(rec.sidecarWrites.get("/photos/a.txt")).toContain("# caption: My words.\n")
      expect(rec.captions.map((c) => c.caption)).toEqual(["My words."])
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
      expect(result.skipped).toEqual([{
        image: "a.jpg",
        reason: "posted by publisher_v2 (sha256 match)",
        code: "posted_sha256"
      }])
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
