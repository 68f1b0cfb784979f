import { Clock, Context, Deferred, Duration, Effect, Exit, Layer, Metric, Option, Ref } from "effect"
import type { StorageError } from "../domain/Errors.js"
import type { ImageRef } from "../domain/Image.js"
import { Storage } from "../services/storage/Storage.js"
import { imageListCache } from "../services/telemetry/metrics.js"

const lookup = (result: "hit" | "stale" | "miss") => Metric.increment(Metric.tagged(imageListCache, "result", result))

/**
 * The image list, cached for `ttl`: concurrent misses share one Storage call; an expired list is
 * still served while one background refresh runs; publish, keep, remove and archive in this
 * process invalidate it (the next request lists again). A ttl of 0 means no cache.
 */
export class ImageCatalog extends Context.Tag("publisher/ImageCatalog")<ImageCatalog, {
  readonly list: Effect.Effect<ReadonlyArray<ImageRef>, StorageError>
  readonly find: (filename: string) => Effect.Effect<Option.Option<ImageRef>, StorageError>
  readonly invalidate: Effect.Effect<void>
}>() {}

type Images = ReadonlyArray<ImageRef>

interface Cache {
  readonly value: Option.Option<{ readonly images: Images; readonly at: number }>
  /** The listing in flight, shared by every caller that needs it. */
  readonly inFlight: Option.Option<Deferred.Deferred<Images, StorageError>>
  /** Bumped by `invalidate`, so a listing started before it is not stored after it. */
  readonly generation: number
}

export const makeImageCatalog = (folder: string, ttl: Duration.DurationInput) =>
  Layer.effect(
    ImageCatalog,
    Effect.gen(function*() {
      const storage = yield* Storage
      const ttlMs = Duration.toMillis(ttl)
      const cache = yield* Ref.make<Cache>({ value: Option.none(), inFlight: Option.none(), generation: 0 })

      /** Joins the listing in flight, or starts one (as a daemon: a cancelled request does not cancel it). */
      const refresh = Effect.gen(function*() {
        const fresh = yield* Deferred.make<Images, StorageError>()
        type Claim = readonly [Deferred.Deferred<Images, StorageError>, boolean, number]
        const [deferred, start, generation] = yield* Ref.modify(cache, (c): readonly [Claim, Cache] =>
          Option.isSome(c.inFlight)
            ? [[c.inFlight.value, false, c.generation], c]
            : [[fresh, true, c.generation], { ...c, inFlight: Option.some(fresh) }])
        if (start) {
          yield* storage.listImages(folder).pipe(
            Effect.exit,
            Effect.flatMap((exit) =>
              Effect.gen(function*() {
                const at = yield* Clock.currentTimeMillis
                yield* Ref.update(cache, (c) => ({
                  ...c,
                  inFlight: Option.none(),
                  value: Exit.isSuccess(exit) && c.generation === generation
                    ? Option.some({ images: exit.value, at })
                    : c.value
                }))
                yield* Deferred.done(deferred, exit)
              })
            ),
            Effect.forkDaemon
          )
        }
        return deferred
      })

      const list: Effect.Effect<Images, StorageError> = ttlMs <= 0 ?
        storage.listImages(folder) :
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const { value } = yield* Ref.get(cache)
          if (Option.isNone(value)) {
            yield* lookup("miss")
            return yield* Deferred.await(yield* refresh)
          }
          const stale = now - value.value.at >= ttlMs
          yield* lookup(stale ? "stale" : "hit")
          if (stale) {
            yield* refresh // served now, refreshed in the background
          }
          return value.value.images
        })

      return ImageCatalog.of({
        list,
        invalidate: Ref.update(
          cache,
          (c) => ({ value: Option.none(), inFlight: Option.none(), generation: c.generation + 1 })
        ),
        find: (filename) =>
          list.pipe(Effect.map((images) =>
            Option.fromNullable(images.find((i) =>
              i.name === filename
            ))
          ))
      })
    })
  )
