import { Context, Effect, Layer } from "effect"
import type { StateError } from "../../domain/Errors.js"
import { HammingIndex } from "../../domain/HammingIndex.js"
import { fromHex, PHASH_ALGORITHM, PHASH_VERSION, toHex } from "../../domain/PerceptualHash.js"
import { type PostedImageHash, State } from "../state/State.js"

/** A posted image near a query hash. */
export interface SimilarPosted extends PostedImageHash {
  readonly distance: number
}

/**
 * The perceptual hashes of every posted image, in a Hamming index: built from State when the
 * layer starts, extended as this process posts images.
 */
export class PostedIndex extends Context.Tag("publisher/PostedIndex")<PostedIndex, {
  /** Up to `k` posted images within `maxDistance` of `phash`, nearest first. */
  readonly nearest: (phash: string, k: number, maxDistance: number) => Effect.Effect<ReadonlyArray<SimilarPosted>>
  /** Adds a posted image (a content_hash already present is ignored). */
  readonly add: (image: PostedImageHash) => Effect.Effect<void>
  readonly size: Effect.Effect<number>
}>() {}

/** An index over `images` (ids are positions in `entries`). */
export const makePostedIndex = (images: ReadonlyArray<PostedImageHash>) =>
  Effect.sync(() => {
    const entries: Array<PostedImageHash> = []
    const known = new Set<string>()
    const his: Array<number> = []
    const los: Array<number> = []
    for (const image of images) {
      const words = fromHex(image.phash)
      if (words === undefined || known.has(image.contentHash)) continue
      known.add(image.contentHash)
      entries.push(image)
      his.push(words.hi)
      los.push(words.lo)
    }
    const index = HammingIndex.build({ hi: Uint32Array.from(his), lo: Uint32Array.from(los) })
    return PostedIndex.of({
      nearest: (phash, k, maxDistance) =>
        Effect.sync(() => {
          const words = fromHex(phash)
          if (words === undefined) return []
          return index.nearest(words.hi, words.lo, k, maxDistance).map(({ distance, id }) => ({
            ...entries[id]!,
            distance
          }))
        }),
      add: (image) =>
        Effect.sync(() => {
          const words = fromHex(image.phash)
          if (words === undefined || known.has(image.contentHash)) return
          known.add(image.contentHash)
          entries.push({ ...image, phash: toHex(words) })
          index.add(words.hi, words.lo)
        }),
      size: Effect.sync(() => index.size)
    })
  })

/** Built from State's posted images with a stored hash of the current algorithm. */
export const PostedIndexLive: Layer.Layer<PostedIndex, StateError, State> = Layer.effect(
  PostedIndex,
  Effect.gen(function*() {
    const state = yield* State
    const posted = yield* state.postedImageHashes(PHASH_ALGORITHM, PHASH_VERSION)
    const index = yield* makePostedIndex(posted)
    yield* Effect.logDebug("near_duplicate_index_built").pipe(Effect.annotateLogs({ posted_images: posted.length }))
    return index
  }).pipe(Effect.withSpan("dedup.build_index"))
)
