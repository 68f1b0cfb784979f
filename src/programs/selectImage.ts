import { Effect, Random } from "effect"
import { UsageError } from "../domain/Errors.js"
import type { ImageRef } from "../domain/Image.js"

/**
 * The images a run may try, in the order to try them: the `--select`ed one (posted or not), or
 * every image whose content_hash is not posted, shuffled. Pure and in memory: nothing is
 * downloaded to decide.
 */
export const candidateImages = (
  images: ReadonlyArray<ImageRef>,
  posted: ReadonlySet<string>,
  select: string | undefined
): Effect.Effect<ReadonlyArray<ImageRef>, UsageError> => {
  if (select !== undefined) {
    const wanted = select.toLowerCase()
    const match = images.find((image) => image.name.toLowerCase() === wanted)
    return match === undefined
      ? Effect.fail(new UsageError({ message: `--select: no image named "${select}" in the folder` }))
      : Effect.succeed([match])
  }
  const seen = new Set<string>()
  const unposted = images.filter((image) => {
    // Two files with the same bytes are one photo: keep the first.
    if (posted.has(image.contentHash) || seen.has(image.contentHash)) return false
    seen.add(image.contentHash)
    return true
  })
  return Random.shuffle(unposted).pipe(Effect.map((chunk) => Array.from(chunk)))
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp"
}

export const mimeTypeOf = (name: string): string =>
  MIME_TYPES[name.slice(name.lastIndexOf(".") + 1).toLowerCase()] ?? "application/octet-stream"
