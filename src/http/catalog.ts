import { Context, Duration, Effect, Layer, Option } from "effect"
import type { StorageError } from "../domain/Errors.js"
import type { ImageRef } from "../domain/Image.js"
import { Storage } from "../services/storage/Storage.js"

/**
 * The image list, cached for `ttl`: concurrent misses share one Storage call; publish, keep,
 * remove and archive in this process invalidate it.
 */
export class ImageCatalog extends Context.Tag("publisher/ImageCatalog")<ImageCatalog, {
  readonly list: Effect.Effect<ReadonlyArray<ImageRef>, StorageError>
  readonly find: (filename: string) => Effect.Effect<Option.Option<ImageRef>, StorageError>
  readonly invalidate: Effect.Effect<void>
}>() {}

export const makeImageCatalog = (folder: string, ttl: Duration.DurationInput) =>
  Layer.effect(
    ImageCatalog,
    Effect.gen(function*() {
      const storage = yield* Storage
      const [list, invalidate] = yield* Effect.cachedInvalidateWithTTL(storage.listImages(folder), ttl)
      return ImageCatalog.of({
        list,
        invalidate,
        find: (filename) => list.pipe(Effect.map((images) => Option.fromNullable(images.find((i) => i.name === filename))))
      })
    })
  )
