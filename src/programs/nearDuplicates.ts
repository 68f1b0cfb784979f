import { Duration, Effect, Either, Metric, Option } from "effect"
import type { ImageDecodeError, StateError } from "../domain/Errors.js"
import type { Timings } from "../domain/RunResult.js"
import { NearDuplicatePolicy, type NearDuplicateSettings } from "../services/dedup/config.js"
import { PostedIndex, type SimilarPosted } from "../services/dedup/PostedIndex.js"
import { ImageHasher } from "../services/phash/ImageHasher.js"
import { State } from "../services/state/State.js"
import { stageDuration } from "../services/telemetry/metrics.js"
import type { Downloaded } from "./prepare.js"
import type { RunOptions } from "./RunOptions.js"

const hashHistogram = stageDuration.pipe(Metric.tagged("stage", "phash"))

/** The run's near-duplicate settings: its options, else the process's (NEAR_DUPLICATE_DISTANCE / _MAX_SKIPS). */
export const nearDuplicateSettings = (
  options: RunOptions
): Effect.Effect<NearDuplicateSettings, never, NearDuplicatePolicy> =>
  options.nearDuplicate !== undefined ? Effect.succeed(options.nearDuplicate) : NearDuplicatePolicy

/**
 * The pHash of a downloaded image, stored in State (unless `persist` is false); an image no
 * decoder reads is logged and answered as the ImageDecodeError (the caller skips it). `phash_ms`
 * sums the hashing time.
 */
export type HashOutcome = Either.Either<string, ImageDecodeError>

export const hashDownloaded = (
  downloaded: Downloaded,
  timings: Timings,
  persist: boolean
): Effect.Effect<HashOutcome, StateError, ImageHasher | State> =>
  Effect.gen(function*() {
    const hasher = yield* ImageHasher
    const state = yield* State
    const [elapsed, hashed] = yield* Effect.timed(Effect.either(hasher.hash(downloaded.bytes, downloaded.image.name)))
    const ms = Duration.toMillis(elapsed)
    timings.phash_ms = (timings.phash_ms ?? 0) + Math.round(ms)
    yield* Metric.update(hashHistogram, ms)
    if (hashed._tag === "Left") {
      yield* Effect.logWarning("phash_failed").pipe(
        Effect.annotateLogs({ image: downloaded.image.name, error: hashed.left.message })
      )
      return Either.left<ImageDecodeError>(hashed.left)
    }
    if (persist) {
      yield* state.saveImageHashes([{
        contentHash: downloaded.image.contentHash,
        imageName: downloaded.image.name,
        phash: hashed.right.phash,
        algorithm: hashed.right.algorithm,
        version: hashed.right.version,
        source: "original"
      }])
    }
    return Either.right<string>(hashed.right.phash)
  })

/** The nearest posted image within `distance` bits, if any (never with distance 0 = off). */
export const nearestPosted = (phash: string, distance: number) =>
  distance <= 0
    ? Effect.succeed(Option.none<SimilarPosted>())
    : PostedIndex.pipe(
      Effect.flatMap((index) => index.nearest(phash, 1, distance)),
      Effect.map((found) => Option.fromNullable(found[0]))
    )
