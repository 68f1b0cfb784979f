import { Config, DateTime, Effect, Metric, Option } from "effect"
import { renderSidecar } from "../domain/CaptionSidecar.js"
import { StorageError } from "../domain/Errors.js"
import { baseName, sidecarPathOf } from "../domain/Image.js"
import type { PlatformOutcome, Timings } from "../domain/RunResult.js"
import { isSidecarText } from "../domain/Sidecar.js"
import { Ai } from "../services/ai/Ai.js"
import { type PlatformPublisher, type Post, Publishers } from "../services/publishers/Publisher.js"
import type { PlatformHistory } from "../services/state/State.js"
import { State } from "../services/state/State.js"
import { Storage } from "../services/storage/Storage.js"
import { publishOutcomes } from "../services/telemetry/metrics.js"
import type { Prepared } from "./prepare.js"
import { mimeTypeOf } from "./selectImage.js"
import { timedInto } from "./timing.js"

/** Writes the publisher_v2 sidecar of a prepared image (whole or not at all). */
/**
 * A free name for the user's own `photo.txt`: `photo.notes.txt`, else `photo.notes-2.txt`, ...
 * A name that may exist (the storage could not say) is not used: nothing is overwritten.
 */
const freeNotesPath = (imagePath: string) =>
  Effect.gen(function*() {
    const storage = yield* Storage
    const stem = sidecarPathOf(imagePath).replace(/\.txt$/, "")
    for (let n = 1; n <= 20; n++) {
      const candidate = `${stem}.notes${n === 1 ? "" : `-${n}`}.txt`
      const found = yield* Effect.either(storage.download(candidate))
      if (found._tag === "Left" && found.left.notFound) return candidate
      if (found._tag === "Left") return yield* found.left
    }
    return yield* new StorageError({
      operation: "write_sidecar",
      path: imagePath,
      message: `no free name for the notes beside ${imagePath}`
    })
  })

/**
 * Writes the sidecar. A `.txt` already there that is not a sidecar (the user's notes, an empty or
 * binary file) is first copied, byte for byte, to `photo.notes.txt` (see {@link freeNotesPath}):
 * answered, so the run can say where it went.
 */
export const writeSidecar = (prepared: Prepared, timings: Timings) =>
  Effect.gen(function*() {
    const ai = yield* Ai
    const storage = yield* Storage
    const artistAlias = Option.getOrUndefined(
      yield* Config.option(Config.string("SIDECAR_ARTIST_ALIAS")).pipe(
        Config.map(Option.filter((a) => a.trim() !== ""))
      )
    )
    const text = renderSidecar({
      ...prepared,
      models: ai.models,
      created: DateTime.formatIso(yield* DateTime.now),
      artistAlias
    })
    let kept: string | undefined
    if (Option.isSome(prepared.sidecar) && !isSidecarText(prepared.sidecar.value)) {
      const original = sidecarPathOf(prepared.image.path)
      const bytes = yield* storage.download(original)
      kept = yield* freeNotesPath(prepared.image.path)
      yield* storage.upload(kept, bytes)
      yield* Effect.logWarning("user_file_kept").pipe(
        Effect.annotateLogs({ image: prepared.image.name, file: baseName(original), kept_as: baseName(kept) })
      )
    }
    yield* storage.writeSidecar(prepared.image.path, text)
    return { userFileKept: kept === undefined ? undefined : baseName(kept) }
  }).pipe(timedInto(timings, "sidecar_write_ms"), Effect.withSpan("sidecar.write"))

export interface PublishOptions {
  readonly runId: string
  /** Null: posted images stay in the folder. */
  readonly archiveFolder: string | null
  /** Post again where an earlier run already did (explicit `--select NAME --force`). */
  readonly repost: boolean
  /** Try platforms whose earlier outcome is uncertain (explicit `retry --force`). */
  readonly retryUncertain: boolean
}

export interface PublishOutcome {
  readonly published: Record<string, PlatformOutcome>
  /** Live on at least one platform (now or before). */
  readonly anyLive: boolean
  /** Live on every enabled platform: the image was archived. */
  readonly archived: boolean
  /** The user's own `.txt` that stood where the sidecar goes, kept under this name. */
  readonly userFileKept?: string | undefined
}

const liveOutcome = (status: "published" | "already_published", id: string | undefined): PlatformOutcome =>
  id === undefined ? { status, ok: true } : { status, ok: true, id }

/** One platform: skip it when history says so, else publish and record the outcome at once. */
const publishTo = (publisher: PlatformPublisher, post: Post, history: PlatformHistory, options: PublishOptions) =>
  Effect.gen(function*() {
    const done = history.successes.find((s) => s.platform === publisher.platform)
    if (done !== undefined && !options.repost) return liveOutcome("already_published", done.postId)
    if (history.uncertain.includes(publisher.platform) && !options.retryUncertain && !options.repost) {
      return {
        status: "uncertain",
        ok: false,
        error:
          `an earlier attempt may have posted; check ${publisher.platform}, then run: publisher retry --image ${post.image.name} --force`
      } satisfies PlatformOutcome
    }
    const state = yield* State
    const record = {
      runId: options.runId,
      contentHash: post.image.contentHash,
      imageName: post.image.name,
      platform: publisher.platform
    }
    // Written before the call: if the process dies while the platform is being called, the next
    // run finds this "uncertain" attempt and does not post blindly a second time.
    yield* state.recordPublication({ ...record, ok: false, uncertain: true, error: "interrupted while publishing" })
    const result = yield* Effect.either(publisher.publish(post))
    const outcome: PlatformOutcome = result._tag === "Right"
      ? liveOutcome("published", result.right.postId)
      : { status: result.left.uncertain ? "uncertain" : "failed", ok: false, error: result.left.message }
    // Recorded before anything else happens: a crash after this line never posts here again.
    yield* state.recordPublication({
      ...record,
      ok: outcome.ok,
      postId: outcome.id,
      error: outcome.error,
      uncertain: outcome.status === "uncertain"
    })
    yield* Metric.increment(
      Metric.tagged(Metric.tagged(publishOutcomes, "platform", publisher.platform), "status", outcome.status)
    )
    return outcome
  })

/**
 * Writes the sidecar concurrently with publishing to every enabled platform (each result kept
 * and recorded as it arrives), marks the image posted once it is live anywhere, and archives it
 * only when it is live on every enabled platform.
 */
export const publishAndArchive = Effect.fn("workflow.publish_and_archive")(function*(
  prepared: Prepared,
  options: PublishOptions,
  timings: Timings
) {
  const storage = yield* Storage
  const state = yield* State
  const publishers = yield* Publishers
  const history = yield* state.platformHistory(prepared.image.contentHash)
  const post: Post = {
    image: prepared.image,
    bytes: prepared.bytes,
    mimeType: mimeTypeOf(prepared.image.name),
    captions: prepared.captions,
    analysis: prepared.analysis
  }

  const [sidecarResult, outcomes] = yield* Effect.all(
    [
      prepared.fromSidecar ? Effect.succeed(undefined) : Effect.either(writeSidecar(prepared, timings)),
      Effect.forEach(
        publishers,
        (p) => publishTo(p, post, history, options).pipe(Effect.map((o) => [p.platform, o] as const)),
        {
          concurrency: "unbounded"
        }
      ).pipe(timedInto(timings, "publish_parallel_ms"))
    ],
    { concurrency: "unbounded" }
  )
  if (sidecarResult?._tag === "Left") {
    yield* Effect.logWarning("sidecar write failed").pipe(Effect.annotateLogs({ error: sidecarResult.left.message }))
  }
  const published = Object.fromEntries(outcomes)
  const anyLive = outcomes.some(([, o]) => o.ok)
  const complete = outcomes.length > 0 && outcomes.every(([, o]) => o.ok)
  if (anyLive) {
    yield* state.markPosted({
      contentHash: prepared.image.contentHash,
      sha256: prepared.sha256,
      imageName: prepared.image.name,
      runId: options.runId
    })
    yield* state.recordCaption({ contentHash: prepared.image.contentHash, caption: prepared.captions.caption })
  }
  if (complete && options.archiveFolder !== null) {
    yield* storage.moveWithSidecar(prepared.image.path, options.archiveFolder, prepared.image).pipe(
      timedInto(timings, "archive_ms"),
      Effect.withSpan("archive")
    )
  }
  const userFileKept = sidecarResult?._tag === "Right" ? sidecarResult.right.userFileKept : undefined
  return {
    published,
    anyLive,
    archived: complete && options.archiveFolder !== null,
    userFileKept
  } satisfies PublishOutcome
})
