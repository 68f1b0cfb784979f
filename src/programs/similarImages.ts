import { Effect, Option } from "effect"
import { linearScan } from "../domain/HammingIndex.js"
import type { ImageRef } from "../domain/Image.js"
import { fromHex, PHASH_ALGORITHM } from "../domain/PerceptualHash.js"
import { PostedIndex } from "../services/dedup/PostedIndex.js"
import { hashLibrary } from "./scanLibrary.js"

export interface SimilarImage {
  readonly filename: string
  readonly content_hash: string
  readonly phash: string
  /** Hamming distance of the two pHashes (bits of 64). */
  readonly distance: number
  /** Already posted (found in the posted-image index). */
  readonly posted: boolean
  /** In the image folder (else: posted and archived). */
  readonly in_folder: boolean
}

export interface SimilarResult {
  readonly phash: string
  readonly algorithm: string
  readonly similar: ReadonlyArray<SimilarImage>
}

/**
 * The images nearest to `image`: other files of the folder (hashed as the scan does, cached by
 * content_hash) and posted images (the index), within `maxDistance`, nearest first, at most
 * `limit`. None when the image cannot be hashed.
 */
export const similarImages = Effect.fn("dedup.similar")(function*(
  image: ImageRef,
  folderImages: ReadonlyArray<ImageRef>,
  options: { readonly limit: number; readonly maxDistance: number }
) {
  const { known } = yield* hashLibrary(folderImages)
  const own = known.get(image.contentHash)
  if (own === undefined) return Option.none<SimilarResult>()
  const query = fromHex(own.phash)!
  const others = folderImages.filter((i) => i.path !== image.path && known.has(i.contentHash))
  const words = others.map((i) => fromHex(known.get(i.contentHash)!.phash)!)
  const codes = { hi: Uint32Array.from(words, (w) => w.hi), lo: Uint32Array.from(words, (w) => w.lo) }
  const inFolder = linearScan(codes, others.length, query.hi, query.lo, options.maxDistance).map((
    { distance, id }
  ): SimilarImage => ({
    filename: others[id]!.name,
    content_hash: others[id]!.contentHash,
    phash: known.get(others[id]!.contentHash)!.phash,
    distance,
    posted: false,
    in_folder: true
  }))
  const folderContent = new Set(folderImages.map((i) => i.contentHash))
  const posted = yield* (yield* PostedIndex).nearest(own.phash, options.limit + 1, options.maxDistance)
  const postedFound = new Set(posted.map((p) => p.contentHash))
  const similar = [
    ...inFolder.map((s) => (postedFound.has(s.content_hash) ? { ...s, posted: true } : s)),
    ...posted
      .filter((p) => p.contentHash !== image.contentHash && !folderContent.has(p.contentHash))
      .map((p): SimilarImage => ({
        filename: p.imageName,
        content_hash: p.contentHash,
        phash: p.phash,
        distance: p.distance,
        posted: true,
        in_folder: false
      }))
  ].sort((a, b) => a.distance - b.distance || a.filename.localeCompare(b.filename)).slice(0, options.limit)
  return Option.some<SimilarResult>({ phash: own.phash, algorithm: PHASH_ALGORITHM, similar })
})
