import { Config, Context, Effect, Layer } from "effect"
import { availableParallelism } from "node:os"
import { ImageDecodeError } from "../../domain/Errors.js"
import { PHASH_ALGORITHM, PHASH_VERSION, phashOf } from "../../domain/PerceptualHash.js"
import { decodeForHash } from "./decode.js"
import { HashPool } from "./pool.js"

/** A perceptual hash and what produced it (stored together: a new algorithm version rehashes). */
export interface ImageHash {
  readonly phash: string
  readonly algorithm: string
  readonly version: number
  readonly width: number
  readonly height: number
}

/** Perceptual hashing of image bytes, off the event loop. */
export class ImageHasher extends Context.Tag("publisher/ImageHasher")<ImageHasher, {
  /** imagehash's pHash of the image; `name` only names it in errors and spans. */
  readonly hash: (bytes: Uint8Array, name: string) => Effect.Effect<ImageHash, ImageDecodeError>
  /** How many images it hashes at once. */
  readonly concurrency: number
}>() {}

/** `PHASH_WORKERS`: worker threads for hashing (default: the machine's cores, at most 8). */
export const HashWorkersConfig = Config.integer("PHASH_WORKERS").pipe(
  Config.validate({ message: "must be between 1 and 64", validation: (n) => n >= 1 && n <= 64 }),
  Config.withDefault(Math.max(1, Math.min(8, availableParallelism())))
)

/**
 * A pool of `size` worker threads, stopped with the layer's scope. One worker starts with the layer
 * (a run hashes one image after listing and downloading: it is ready by then), the others on use.
 */
export const makeImageHasher = (size: number) =>
  Effect.gen(function*() {
    const pool = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const pool = new HashPool(size)
        pool.warm()
        return pool
      }),
      (pool) => Effect.promise(() => pool.close())
    )
    return ImageHasher.of({
      concurrency: size,
      hash: (bytes, name) =>
        Effect.tryPromise(() => pool.hash(bytes)).pipe(
          // Once more on this thread when the pool failed: a worker that died is told apart from a
          // file no decoder reads, so an ImageDecodeError means the file itself is not an image.
          Effect.orElse(() =>
            Effect.tryPromise({
              try: async () => {
                const image = await decodeForHash(bytes)
                return { hash: phashOf(image), width: image.width, height: image.height }
              },
              catch: (e) =>
                new ImageDecodeError({
                  image: name,
                  message: `cannot hash ${name}: ${e instanceof Error ? e.message : String(e)}`
                })
            })
          ),
          Effect.map(({ hash, height, width }): ImageHash => ({
            phash: hash,
            algorithm: PHASH_ALGORITHM,
            version: PHASH_VERSION,
            width,
            height
          })),
          Effect.withSpan("phash.hash", { attributes: { image: name, bytes: bytes.byteLength } })
        )
    })
  })

export const ImageHasherLive = Layer.scoped(ImageHasher, Effect.flatMap(HashWorkersConfig, makeImageHasher))
