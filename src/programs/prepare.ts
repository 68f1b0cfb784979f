import { createHash } from "node:crypto"
import { Effect, Metric, Option } from "effect"
import type { CaptionPair, ImageAnalysis } from "../domain/Analysis.js"
import { cachedFromSidecar } from "../domain/CaptionSidecar.js"
import type { ImageRef } from "../domain/Image.js"
import type { Timings } from "../domain/RunResult.js"
import { Ai } from "../services/ai/Ai.js"
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

/** Analysis and captions: from the sidecar when it holds them all, else from the model. */
export const caption = Effect.fn("workflow.captions")(function*(downloaded: Downloaded, timings: Timings) {
  const cached = Option.flatMap(downloaded.sidecar, cachedFromSidecar)
  if (Option.isSome(cached)) return { ...downloaded, ...cached.value, fromSidecar: true } satisfies Prepared
  const ai = yield* Ai
  const analysis = yield* ai.analyze({ name: downloaded.image.name, bytes: downloaded.bytes, mimeType: mimeTypeOf(downloaded.image.name) }).pipe(
    timedInto(timings, "vision_analysis_ms")
  )
  const captions = yield* ai.captionPair(analysis).pipe(timedInto(timings, "caption_generation_ms"))
  return { ...downloaded, analysis, captions, fromSidecar: false } satisfies Prepared
})
