import { Effect, Layer } from "effect"
import { AiLive } from "../services/ai/OpenAiLive.js"
import { NearDuplicatePolicyLive } from "../services/dedup/config.js"
import { PostedIndexLive } from "../services/dedup/PostedIndex.js"
import { ImageHasherLive } from "../services/phash/ImageHasher.js"
import { NoPublishers, PublishersLive } from "../services/publishers/registry.js"
import { StateLive } from "../services/state/StateLive.js"
import { StorageKindConfig } from "../services/storage/config.js"
import { DropboxStorageLive } from "../services/storage/DropboxLive.js"
import { LocalStorageLive } from "../services/storage/LocalLive.js"

export { StorageKindConfig }

export const StorageLive = Layer.unwrapEffect(
  StorageKindConfig.pipe(Effect.map((kind) => (kind === "local" ? LocalStorageLive : DropboxStorageLive)))
)

/**
 * Every service a workflow needs, built once for the process. Dry runs and previews get no
 * publishers, so they need no publishing credentials.
 */
export const appLayer = (options: { readonly publish: boolean }) =>
  Layer.mergeAll(
    AiLive,
    PostedIndexLive,
    ImageHasherLive,
    NearDuplicatePolicyLive,
    options.publish ? PublishersLive : NoPublishers
  ).pipe(
    // The near-duplicate index is built from State: one State serves both.
    Layer.provideMerge(StateLive),
    // Instagram publishes from a Storage temporary link: one Storage serves both.
    Layer.provideMerge(StorageLive)
  )

/** What `publisher dedup scan` needs: no AI, no publishers, so no credentials of theirs. */
export const dedupLayer = Layer.mergeAll(PostedIndexLive, ImageHasherLive).pipe(
  Layer.provideMerge(StateLive),
  Layer.provideMerge(StorageLive)
)

export type AppServices = Layer.Layer.Success<ReturnType<typeof appLayer>>
