import { createHash } from "node:crypto"
import { DateTime, Duration, Effect, Option } from "effect"
import { cachedFromSidecar, renderSidecar } from "../domain/CaptionSidecar.js"
import type { ImageRef } from "../domain/Image.js"
import type { PlatformOutcome, RunResult, SkippedImage, Timings } from "../domain/RunResult.js"
import { Ai } from "../services/ai/Ai.js"
import { type Post, Publishers } from "../services/publishers/Publisher.js"
import { State } from "../services/state/State.js"
import { Storage } from "../services/storage/Storage.js"
import type { RunOptions } from "./RunOptions.js"
import { candidateImages, mimeTypeOf } from "./selectImage.js"

const ms = (d: Duration.Duration): number => Math.round(Duration.toMillis(d))

const sha256Hex = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

interface Chosen {
  readonly image: ImageRef
  readonly bytes: Uint8Array
  readonly sha256: string
  readonly sidecar: Option.Option<string>
}

/**
 * Downloads candidates in order until one is not already posted under its SHA-256 (publisher_v2
 * imports know photos only by SHA-256 of their bytes). Such a hit is recorded by content_hash,
 * so later runs skip it without a download. The image and its sidecar (when the listing showed
 * one) are read together.
 */
const firstUnposted = Effect.fn("workflow.choose")(function*(
  candidates: ReadonlyArray<ImageRef>,
  options: RunOptions,
  skipped: Array<SkippedImage>
) {
  const storage = yield* Storage
  const state = yield* State
  for (const image of candidates) {
    const [bytes, sidecar] = yield* Effect.all(
      [
        storage.download(image.path),
        image.hasSidecar ? storage.readSidecar(image.path) : Effect.succeed(Option.none<string>())
      ],
      { concurrency: 2 }
    )
    const sha256 = sha256Hex(bytes)
    if (options.select === undefined && (yield* state.isPostedSha256(sha256))) {
      skipped.push({ image: image.name, reason: "posted by publisher_v2 (sha256 match)" })
      if (!options.dryPublish && !options.preview) {
        yield* state.markPosted({ contentHash: image.contentHash, sha256, imageName: image.name, runId: options.correlationId })
      }
      continue
    }
    return Option.some<Chosen>({ image, bytes, sha256, sidecar })
  }
  return Option.none<Chosen>()
})

/** Analysis and captions: from the sidecar when it holds them all, else from the model. */
const captionsFor = Effect.fn("workflow.captions")(function*(chosen: Chosen, timings: Timings) {
  const cached = Option.flatMap(chosen.sidecar, cachedFromSidecar)
  if (Option.isSome(cached)) return { ...cached.value, fromSidecar: true }
  const ai = yield* Ai
  const [analysisMs, analysis] = yield* Effect.timed(
    ai.analyze({ name: chosen.image.name, bytes: chosen.bytes, mimeType: mimeTypeOf(chosen.image.name) })
  )
  timings.vision_analysis_ms = ms(analysisMs)
  const [captionMs, captions] = yield* Effect.timed(ai.captionPair(analysis))
  timings.caption_generation_ms = ms(captionMs)
  return { analysis, captions, fromSidecar: false }
})

/** Publishes to every platform that has not already succeeded for this image; each result kept. */
const publishAll = Effect.fn("workflow.publish")(function*(post: Post, runId: string) {
  const publishers = yield* Publishers
  const state = yield* State
  const already = new Map((yield* state.successfulPlatforms(post.image.contentHash)).map((s) => [s.platform, s]))
  const outcomes: Record<string, PlatformOutcome> = {}
  yield* Effect.forEach(publishers, (publisher) => {
    const done = already.get(publisher.platform)
    if (done !== undefined) {
      outcomes[publisher.platform] = { ok: true, already_published: true, ...(done.postId ? { id: done.postId } : {}) }
      return Effect.void
    }
    return publisher.publish(post).pipe(
      Effect.either,
      Effect.tap((result) => {
        const outcome: PlatformOutcome = result._tag === "Right"
          ? { ok: true, ...(result.right.postId !== undefined ? { id: result.right.postId } : {}) }
          : { ok: false, error: result.left.message }
        outcomes[publisher.platform] = outcome
        return state.recordPublication({
          runId,
          contentHash: post.image.contentHash,
          imageName: post.image.name,
          platform: publisher.platform,
          ok: outcome.ok,
          postId: outcome.id,
          error: outcome.error
        })
      })
    )
  }, { concurrency: "unbounded", discard: true })
  return outcomes
})

const baseResult = (options: RunOptions) => ({
  correlation_id: options.correlationId,
  image: null,
  content_hash: null,
  caption: null,
  sd_caption: null,
  published: {},
  archived: false,
  dry_publish: options.dryPublish,
  preview: options.preview,
  from_sidecar: false,
  skipped: [],
  timings: {},
  message: "",
  ok: true
}) satisfies RunResult

/**
 * One post: list -> choose an unposted image -> download it (only it) -> analyze + caption (or
 * the sidecar cache) -> sidecar write concurrently with publishing -> record -> archive.
 */
export const publishOne = Effect.fn("workflow.publishOne")(function*(options: RunOptions) {
  const storage = yield* Storage
  const state = yield* State
  const ai = yield* Ai
  const timings: Timings = {}
  const skipped: Array<SkippedImage> = []
  const result = (fields: Partial<RunResult>): RunResult => ({ ...baseResult(options), skipped, timings, ...fields })

  const [listMs, images] = yield* Effect.timed(storage.listImages(options.folder))
  timings.dropbox_list_images_ms = ms(listMs)

  const [selectMs, candidates] = yield* Effect.timed(
    state.postedContentHashes.pipe(Effect.flatMap((posted) => candidateImages(images, posted, options.select)))
  )
  timings.image_selection_ms = ms(selectMs)

  const picked = yield* firstUnposted(candidates, options, skipped)
  if (Option.isNone(picked)) {
    yield* Effect.logInfo("workflow_timing").pipe(Effect.annotateLogs({ ...timings, image_count: images.length }))
    return result({
      message: images.length === 0
        ? `No new images: ${options.folder} holds no images`
        : `No new images: all ${images.length} images in ${options.folder} were already posted`
    })
  }
  const chosen = picked.value
  yield* Effect.annotateCurrentSpan({ image: chosen.image.name, content_hash: chosen.image.contentHash })

  const { analysis, captions, fromSidecar } = yield* captionsFor(chosen, timings)
  const described = {
    image: chosen.image.name,
    content_hash: chosen.image.contentHash,
    caption: captions.caption,
    sd_caption: captions.sd_caption,
    from_sidecar: fromSidecar
  }
  const sidecarText = renderSidecar({
    image: chosen.image,
    sha256: chosen.sha256,
    analysis,
    captions,
    models: ai.models,
    created: DateTime.formatIso(yield* DateTime.now)
  })
  const writeSidecar = Effect.timed(storage.writeSidecar(chosen.image.path, sidecarText)).pipe(
    Effect.tap(([d]) => Effect.sync(() => { timings.sidecar_write_ms = ms(d) })),
    Effect.withSpan("sidecar.write")
  )

  if (options.preview) {
    return result({ ...described, message: `Preview: would post ${chosen.image.name}` })
  }
  if (options.dryPublish) {
    if (!fromSidecar) yield* writeSidecar
    yield* logTiming(timings, chosen.image)
    return result({ ...described, message: `Dry publish: captioned ${chosen.image.name}; nothing published` })
  }

  const post: Post = { image: chosen.image, bytes: chosen.bytes, mimeType: mimeTypeOf(chosen.image.name), captions, analysis }
  const [sidecarResult, [publishMs, published]] = yield* Effect.all(
    [
      fromSidecar ? Effect.succeed(undefined) : writeSidecar.pipe(Effect.either),
      Effect.timed(publishAll(post, options.correlationId))
    ],
    { concurrency: "unbounded" }
  )
  timings.publish_parallel_ms = ms(publishMs)
  if (sidecarResult?._tag === "Left") {
    yield* Effect.logWarning("sidecar write failed").pipe(Effect.annotateLogs({ error: sidecarResult.left.message }))
  }

  const anySuccess = Object.values(published).some((o) => o.ok)
  let archived = false
  if (anySuccess) {
    yield* state.markPosted({
      contentHash: chosen.image.contentHash,
      sha256: chosen.sha256,
      imageName: chosen.image.name,
      runId: options.correlationId
    })
    const [archiveMs] = yield* Effect.timed(
      storage.moveWithSidecar(chosen.image.path, options.archiveFolder).pipe(Effect.withSpan("archive"))
    )
    timings.archive_ms = ms(archiveMs)
    archived = true
  }
  yield* logTiming(timings, chosen.image)
  const failed = Object.entries(published).filter(([, o]) => !o.ok).map(([p]) => p)
  return result({
    ...described,
    published,
    archived,
    ok: anySuccess,
    message: anySuccess
      ? `Posted ${chosen.image.name}${failed.length > 0 ? `; failed on ${failed.join(", ")}` : ""}`
      : Object.keys(published).length === 0
      ? `No platform is enabled: ${chosen.image.name} was not posted`
      : `Every platform failed for ${chosen.image.name}; it stays in the folder`
  })
})

const logTiming = (timings: Timings, image: ImageRef) =>
  Effect.logInfo("workflow_timing").pipe(Effect.annotateLogs({ ...timings, image: image.name }))
