import { Config, type ConfigError, Effect, Either, Metric, Option } from "effect"
import { createHash } from "node:crypto"
import type { CaptionPair, ImageAnalysis } from "../domain/Analysis.js"
import { appendHashtags } from "../domain/Caption.js"
import { parseCaptionExamples } from "../domain/CaptionExamples.js"
import { cachedFromSidecar } from "../domain/CaptionSidecar.js"
import type { ImageRef } from "../domain/Image.js"
import type { Timings } from "../domain/RunResult.js"
import { Ai } from "../services/ai/Ai.js"
import { State } from "../services/state/State.js"
import { Storage } from "../services/storage/Storage.js"
import { imageDownloads } from "../services/telemetry/metrics.js"
import { mimeTypeOf } from "./selectImage.js"
import { timedInto } from "./timing.js"

export const sha256Hex = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

/** One downloaded image: its bytes, their SHA-256 and its sidecar text (if the listing showed one). */
export interface Downloaded {
  readonly image: ImageRef
  readonly bytes: Uint8Array
  readonly sha256: string
  readonly sidecar: Option.Option<string>
}

/** An image ready to publish. */
export interface Prepared extends Downloaded {
  readonly analysis: ImageAnalysis
  readonly captions: CaptionPair
  /** Analysis and captions came from the sidecar: no AI call. */
  readonly fromSidecar: boolean
}

/** Downloads the image and reads its sidecar, together. */
export const download = (image: ImageRef) =>
  Effect.gen(function*() {
    const storage = yield* Storage
    const [bytes, sidecar] = yield* Effect.all(
      [
        storage.download(image.path),
        image.hasSidecar ? storage.readSidecar(image.path) : Effect.succeed(Option.none<string>())
      ],
      { concurrency: 2 }
    )
    yield* Metric.increment(imageDownloads)
    return { image, bytes, sha256: sha256Hex(bytes), sidecar } satisfies Downloaded
  })

/**
 * `CAPTION_HISTORY`: how many of the latest posted captions the caption model sees, so it does not repeat itself (0:
 * none).
 */
export const CaptionHistoryConfig = Config.integer("CAPTION_HISTORY").pipe(
  Config.validate({ message: "must be between 0 and 50", validation: (n) => n >= 0 && n <= 50 }),
  Config.withDefault(10)
)

/** The State setting that holds the caption examples set from the admin API. */
export const CAPTION_EXAMPLES_SETTING = "caption_examples"

/**
 * The caption examples set from the admin API, if any (they win over CAPTION_EXAMPLES); a stored value that is not a
 * list is ignored.
 */
export const captionExamplesSetting = Effect.gen(function*() {
  const stored = yield* (yield* State).getSetting(CAPTION_EXAMPLES_SETTING)
  return Option.isSome(stored) ? Either.getOrUndefined(parseCaptionExamples(stored.value)) : undefined
})

/** `CAPTION_HASHTAGS`: hashtags every caption ends with (publisher_v2's `hashtag_string`). */
export const CaptionHashtagsConfig = Config.string("CAPTION_HASHTAGS").pipe(Config.withDefault(""))

/**
 * A caption as a run posts it: ending with `CAPTION_HASHTAGS`, each tag once (so applying it again changes nothing).
 */
export const withCaptionHashtags = (caption: string) =>
  CaptionHashtagsConfig.pipe(Effect.map((hashtags) => appendHashtags(caption, hashtags)))

/**
 * Analysis and captions: from the sidecar when it holds them all, else from the model; the
 * caption then ends with `CAPTION_HASHTAGS` (each tag once, so a cached caption is unchanged).
 */
export const caption = Effect.fn("workflow.captions")(function*(downloaded: Downloaded, timings: Timings) {
  const withTags = <P extends Prepared>(prepared: P): Effect.Effect<P, ConfigError.ConfigError> =>
    withCaptionHashtags(prepared.captions.caption).pipe(
      Effect.map((caption) => ({ ...prepared, captions: { ...prepared.captions, caption } }))
    )
  const cached = Option.flatMap(downloaded.sidecar, cachedFromSidecar)
  if (Option.isSome(cached)) {
    return yield* withTags({ ...downloaded, ...cached.value, fromSidecar: true } satisfies Prepared)
  }
  const ai = yield* Ai
  const analysis = yield* ai.analyze({
    name: downloaded.image.name,
    bytes: downloaded.bytes,
    mimeType: mimeTypeOf(downloaded.image.name)
  }).pipe(
    timedInto(timings, "vision_analysis_ms")
  )
  const state = yield* State
  const recent = yield* CaptionHistoryConfig.pipe(Effect.flatMap(state.recentCaptions))
  const examples = yield* captionExamplesSetting
  const captions = yield* ai.captionPair(analysis, { recent, examples }).pipe(
    timedInto(timings, "caption_generation_ms")
  )
  return yield* withTags({ ...downloaded, analysis, captions, fromSidecar: false } satisfies Prepared)
})
