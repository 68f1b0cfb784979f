import { Clock, Effect, Either, Metric, Option } from "effect"
import { CaptionPair } from "../domain/Analysis.js"
import { type ImageRef, sidecarPathOf } from "../domain/Image.js"
import type { RunResult, SkippedImage, Timings } from "../domain/RunResult.js"
import { PostedIndex } from "../services/dedup/PostedIndex.js"
import { Publishers } from "../services/publishers/Publisher.js"
import { renderForPlatforms } from "../services/publishers/registry.js"
import { State } from "../services/state/State.js"
import { Storage } from "../services/storage/Storage.js"
import { nearDuplicatesSkipped, unusableImagesSkipped } from "../services/telemetry/metrics.js"
import { withPublishingLease } from "./lease.js"
import { hashDownloaded, nearDuplicateSettings, nearestPosted } from "./nearDuplicates.js"
import { caption, download, type Downloaded } from "./prepare.js"
import { publishAndArchive, writeSidecar } from "./publishPost.js"
import type { RunOptions } from "./RunOptions.js"
import { candidateImages } from "./selectImage.js"
import { timedInto } from "./timing.js"
import { waitingImages } from "./waiting.js"

/** The chosen image with its perceptual hash (none when it could not be decoded). */
interface Chosen {
  readonly downloaded: Downloaded
  readonly phash: Option.Option<string>
}

/**
 * Downloads candidates in order until one is neither posted under its SHA-256 (publisher_v2
 * imports know photos only by SHA-256 of their bytes) nor within NEAR_DUPLICATE_DISTANCE of a
 * posted image's pHash. Either hit is recorded by content_hash, so later runs skip it without a
 * download; after NEAR_DUPLICATE_MAX_SKIPS near-duplicates the run stops trying.
 */
/** Unusable files one run skips before it stops (each cost a download); the next run goes on. */
const MAX_UNUSABLE_SKIPS = 5

const firstUnposted = Effect.fn("workflow.choose")(function*(
  candidates: ReadonlyArray<ImageRef>,
  options: RunOptions,
  skipped: Array<SkippedImage>,
  timings: Timings
) {
  const state = yield* State
  const near = yield* nearDuplicateSettings(options)
  const record = !options.dryPublish && !options.preview
  let nearSkips = 0
  let unusable = 0
  for (const image of candidates) {
    const downloaded = yield* download(image)
    if (options.select === undefined && (yield* state.isPostedSha256(downloaded.sha256))) {
      skipped.push({ image: image.name, reason: "posted by publisher_v2 (sha256 match)", code: "posted_sha256" })
      if (record) {
        yield* state.markPosted({
          contentHash: image.contentHash,
          sha256: downloaded.sha256,
          imageName: image.name,
          runId: options.correlationId
        })
      }
      continue
    }
    const hashed = yield* hashDownloaded(downloaded, timings, !options.preview)
    if (Either.isLeft(hashed) && options.select === undefined) {
      // Not an image any decoder reads: skipped and remembered, so one broken file never blocks posting.
      skipped.push({ image: image.name, reason: `not a usable image (${hashed.left.message})`, code: "unusable" })
      yield* Effect.logWarning("unusable_image_skipped").pipe(
        Effect.annotateLogs({ image: image.name, error: hashed.left.message })
      )
      yield* Metric.increment(unusableImagesSkipped)
      if (record) {
        yield* state.recordUnusable({
          contentHash: image.contentHash,
          imageName: image.name,
          reason: hashed.left.message,
          runId: options.correlationId
        })
      }
      if (++unusable >= MAX_UNUSABLE_SKIPS) return Option.none<Chosen>()
      continue
    }
    const phash = Either.getRight(hashed)
    const match = options.select === undefined && Option.isSome(phash)
      ? yield* nearestPosted(phash.value, near.distance)
      : Option.none()
    if (Option.isSome(match)) {
      const { distance, imageName } = match.value
      skipped.push({
        image: image.name,
        reason: `near-duplicate of posted ${imageName} (distance ${distance})`,
        code: "near_duplicate",
        near_duplicate_of: imageName,
        distance
      })
      yield* Effect.logInfo("near_duplicate_skipped").pipe(
        Effect.annotateLogs({ image: image.name, near_duplicate_of: imageName, distance })
      )
      yield* Metric.increment(nearDuplicatesSkipped)
      if (record) {
        yield* state.recordNearDuplicate({
          contentHash: image.contentHash,
          imageName: image.name,
          duplicateOf: match.value.contentHash,
          duplicateOfName: imageName,
          distance,
          runId: options.correlationId
        })
      }
      if (++nearSkips >= near.maxSkips) return Option.none<Chosen>()
      continue
    }
    return Option.some<Chosen>({ downloaded, phash })
  }
  return Option.none<Chosen>()
})

type Unfinished =
  | { readonly _tag: "Resume"; readonly image: ImageRef }
  | { readonly _tag: "ArchiveOnly"; readonly image: ImageRef }

/**
 * An image an earlier run left live on some platforms but not archived (a platform failed, or the
 * process stopped): finish it before starting a new one. Images tried `maxAttempts` times, or
 * whose remaining platforms are uncertain, are left for `publisher retry`.
 */
const findUnfinished = Effect.fn("workflow.find_unfinished")(function*(
  images: ReadonlyArray<ImageRef>,
  options: RunOptions,
  skipped: Array<SkippedImage>
) {
  const state = yield* State
  const platforms = (yield* Publishers).map((p) => p.platform)
  const published = yield* state.publishedContentHashes
  const candidates = images.filter((image) => published.has(image.contentHash))
  if (candidates.length === 0) return Option.none<Unfinished>()
  // One query for all of them: with ARCHIVE_POSTED=false every posted image stays in the folder.
  const histories = yield* state.platformHistories(candidates.map((image) => image.contentHash))
  for (const image of candidates) {
    const history = histories.get(image.contentHash)!
    const live = new Set(history.successes.map((s) => s.platform))
    const remaining = platforms.filter((p) => !live.has(p))
    if (remaining.length === 0) {
      // Live everywhere: only the move to the archive may be missing (none when images stay).
      if (options.archiveFolder !== null) return Option.some<Unfinished>({ _tag: "ArchiveOnly", image })
      continue
    }
    if (remaining.every((p) => history.uncertain.includes(p))) {
      skipped.push({
        image: image.name,
        reason: `outcome uncertain on ${remaining.join(", ")}: see publisher retry`,
        code: "uncertain"
      })
    } else if (history.runs >= options.maxAttempts) {
      skipped.push({
        image: image.name,
        reason: `failed ${history.runs} times on ${remaining.join(", ")}: see publisher retry`,
        code: "max_attempts"
      })
    } else {
      return Option.some<Unfinished>({ _tag: "Resume", image })
    }
  }
  return Option.none<Unfinished>()
})

const keptNote = (kept: string | undefined) => (kept === undefined ? {} : { user_file_kept: kept })
const keptMessage = (kept: string | undefined, image: string) =>
  kept === undefined ? "" : `; your own ${sidecarPathOf(image)} was kept as ${kept} (the sidecar took its name)`

/** "1 image waits" / "3 images wait". */
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

const baseResult = (options: RunOptions): RunResult => ({
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
  resumed: false,
  skipped: [],
  timings: {},
  message: "",
  ok: true
})

/** The run's one `workflow_timing` line: publisher_v2's fields, plus the whole run's duration. */
const logTiming = (timings: Timings, image: string | undefined, options: RunOptions, startedAt: number) =>
  Effect.gen(function*() {
    const total = (yield* Clock.currentTimeMillis) - startedAt
    yield* Effect.logInfo("workflow_timing").pipe(Effect.annotateLogs({
      ...timings,
      workflow_total_ms: Math.round(total),
      ...(image ? { image } : {}),
      preview_mode: options.preview,
      dry_publish: options.dryPublish
    }))
  })

/**
 * One post: list -> finish an unfinished image, or choose an unposted one -> download it (only
 * it) -> analyze + caption (or the sidecar cache) -> sidecar write concurrently with publishing
 * -> record -> archive once live everywhere. Holds the publishing lease throughout (not in
 * preview), so concurrent runs never choose the same image.
 */
export const publishOne = Effect.fn("workflow.publishOne")(function*(options: RunOptions) {
  const startedAt = yield* Clock.currentTimeMillis
  const storage = yield* Storage
  const state = yield* State
  const timings: Timings = {}
  const skipped: Array<SkippedImage> = []
  const result = (fields: Partial<RunResult>): RunResult => ({ ...baseResult(options), skipped, timings, ...fields })
  const sideEffects = !options.dryPublish && !options.preview

  const images = yield* storage.listImages(options.folder).pipe(timedInto(timings, "dropbox_list_images_ms"))

  // Live somewhere and uncertain elsewhere: findUnfinished reports those.
  const waiting = (yield* waitingImages(images)).filter((w) => !w.liveSomewhere)
  if (options.select === undefined) {
    for (const w of waiting) {
      if (!skipped.some((s) => s.image === w.image.name)) {
        skipped.push({
          image: w.image.name,
          reason: `outcome ${w.advice}`,
          code: "uncertain"
        })
      }
    }
  }

  // An earlier run's unfinished work comes first.
  const unfinished = sideEffects && options.select === undefined
    ? yield* findUnfinished(images, options, skipped)
    : Option.none()
  if (Option.isSome(unfinished) && unfinished.value._tag === "ArchiveOnly" && options.archiveFolder !== null) {
    const image = unfinished.value.image
    yield* storage.moveWithSidecar(image.path, options.archiveFolder, image).pipe(
      timedInto(timings, "archive_ms"),
      Effect.withSpan("archive")
    )
    yield* logTiming(timings, image.name, options, startedAt)
    return result({
      image: image.name,
      content_hash: image.contentHash,
      archived: true,
      resumed: true,
      message: `Archived ${image.name}: an earlier run had published it everywhere`
    })
  }

  const picked: Option.Option<Chosen> = Option.isSome(unfinished)
    ? yield* Effect.gen(function*() {
      // Resumed, not chosen: its hash only goes into the index once it is live.
      const downloaded = yield* download(unfinished.value.image)
      return Option.some({ downloaded, phash: Either.getRight(yield* hashDownloaded(downloaded, timings, true)) })
    })
    : yield* Effect.gen(function*() {
      const excluded = new Set([
        ...(yield* state.postedContentHashes),
        ...(yield* state.publishedContentHashes),
        ...(yield* state.nearDuplicateContentHashes),
        ...(yield* state.unusableContentHashes),
        // Waiting for a check: choosing one again could post it twice, or block the folder.
        ...waiting.map((w) => w.image.contentHash)
      ])
      const candidates = yield* candidateImages(images, excluded, options.select).pipe(
        timedInto(timings, "image_selection_ms")
      )
      return yield* firstUnposted(candidates, options, skipped, timings)
    })
  if (Option.isNone(picked)) {
    yield* logTiming(timings, undefined, options, startedAt)
    const nearSkips = skipped.filter((s) => s.code === "near_duplicate").length
    const unusableSkips = skipped.filter((s) => s.code === "unusable").length
    const near = yield* nearDuplicateSettings(options)
    // Say what the folder holds, counted: "all posted" only when it is true.
    const posted = new Set([...(yield* state.postedContentHashes), ...(yield* state.publishedContentHashes)])
    const unusable = yield* state.unusableContentHashes
    const nearDuplicates = yield* state.nearDuplicateContentHashes
    const count = (test: (image: ImageRef) => boolean) => images.filter(test).length
    const postedCount = count((i) => posted.has(i.contentHash)) +
      skipped.filter((s) => s.code === "posted_sha256").length
    const unusableCount = count((i) => unusable.has(i.contentHash) && !posted.has(i.contentHash))
    const nearCount = count((i) => nearDuplicates.has(i.contentHash) && !posted.has(i.contentHash))
    const parts = [
      postedCount > 0 ? `${postedCount} posted` : "",
      unusableCount > 0 ? `${plural(unusableCount, "file is", "files are")} not a usable image` : "",
      nearCount > 0 ? plural(nearCount, "near-duplicate of a posted photo", "near-duplicates of posted photos") : ""
    ].filter((p) => p !== "")
    const waitNote = waiting.length === 0
      ? ""
      : `; ${plural(waiting.length, "image waits", "images wait")} for a check: see publisher retry`
    return result({
      message: (images.length === 0
        ? `No new images: ${options.folder} holds no images`
        : unusableSkips >= MAX_UNUSABLE_SKIPS
        ? `Nothing posted: skipped ${unusableSkips} files that are not usable images; the next run tries other images`
        : nearSkips > 0 && nearSkips >= near.maxSkips
        ? `Nothing posted: skipped ${nearSkips} near-duplicates of posted images (NEAR_DUPLICATE_MAX_SKIPS=${near.maxSkips}); the next run tries other images`
        : parts.length === 0
        ? "No new images"
        : `No new images in ${options.folder}: ${parts.join(", ")}`) + waitNote
    })
  }
  const generated = yield* caption(picked.value.downloaded, timings)
  const override = options.caption?.trim()
  // An edited caption is posted as given, and the sidecar is rewritten to record it.
  const prepared = override === undefined || override === ""
    ? generated
    : {
      ...generated,
      captions: new CaptionPair({ caption: override, sd_caption: generated.captions.sd_caption }),
      fromSidecar: false
    }
  if (prepared !== generated) {
    yield* Effect.logInfo("caption_override_used").pipe(
      Effect.annotateLogs({ image: prepared.image.name, override_length: override!.length })
    )
  }
  yield* Effect.annotateCurrentSpan({ image: prepared.image.name, content_hash: prepared.image.contentHash })
  const described = {
    image: prepared.image.name,
    content_hash: prepared.image.contentHash,
    caption: prepared.captions.caption,
    sd_caption: prepared.captions.sd_caption,
    from_sidecar: generated.fromSidecar,
    resumed: Option.isSome(unfinished)
  }

  if (options.preview) {
    return result({
      ...described,
      platform_captions: yield* renderForPlatforms(prepared.captions.caption),
      message: `Preview: would post ${prepared.image.name}`
    })
  }
  if (options.dryPublish) {
    const written = prepared.fromSidecar ? { userFileKept: undefined } : yield* writeSidecar(prepared, timings)
    yield* logTiming(timings, prepared.image.name, options, startedAt)
    return result({
      ...described,
      platform_captions: yield* renderForPlatforms(prepared.captions.caption),
      ...keptNote(written.userFileKept),
      message: `Dry publish: captioned ${prepared.image.name}; nothing published` +
        keptMessage(written.userFileKept, prepared.image.name)
    })
  }

  const outcome = yield* publishAndArchive(prepared, {
    runId: options.correlationId,
    archiveFolder: options.archiveFolder,
    repost: options.force === true,
    retryUncertain: false
  }, timings)
  if (outcome.anyLive && Option.isSome(picked.value.phash)) {
    const index = yield* PostedIndex
    yield* index.add({
      contentHash: prepared.image.contentHash,
      imageName: prepared.image.name,
      phash: picked.value.phash.value
    })
  }
  yield* logTiming(timings, prepared.image.name, options, startedAt)
  const notLive = Object.entries(outcome.published).filter(([, o]) => !o.ok).map(([p, o]) => `${p} (${o.status})`)
  return result({
    ...described,
    published: outcome.published,
    archived: outcome.archived,
    ok: outcome.anyLive,
    ...keptNote(outcome.userFileKept),
    message: (Object.keys(outcome.published).length === 0
      ? `No platform is enabled: ${prepared.image.name} was not posted`
      : !outcome.anyLive
      ? `Every platform failed for ${prepared.image.name}; it stays in the folder`
      : notLive.length > 0
      ? `Posted ${prepared.image.name}; not on ${notLive.join(", ")}: the next run (or publisher retry) finishes it`
      : `Posted ${prepared.image.name}`) + keptMessage(outcome.userFileKept, prepared.image.name)
  })
}, (effect, options) => withPublishingLease(options.correlationId, { when: !options.preview })(effect))
