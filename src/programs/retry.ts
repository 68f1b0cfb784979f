import { Effect } from "effect"
import { UsageError } from "../domain/Errors.js"
import type { PlatformOutcome, Timings } from "../domain/RunResult.js"
import { State } from "../services/state/State.js"
import { Storage } from "../services/storage/Storage.js"
import { withPublishingLease } from "./lease.js"
import { caption, download } from "./prepare.js"
import { publishAndArchive } from "./publishPost.js"

export interface RetryOptions {
  readonly correlationId: string
  readonly folder: string
  readonly archiveFolder: string | null
  /** Only this image (by name). */
  readonly image?: string | undefined
  /** Also try platforms whose earlier outcome is uncertain (after checking them by hand). */
  readonly force: boolean
}

export interface RetryResult {
  readonly image: string
  readonly published: Readonly<Record<string, PlatformOutcome>>
  readonly archived: boolean
  readonly timings: Timings
}

/**
 * Finishes images an earlier run left live on some platforms but not all: publishes each only
 * where it has not succeeded, then archives it. Without `image`, every such image in the folder.
 */
export const retryUnfinished = Effect.fn("workflow.retry")(function*(options: RetryOptions) {
  const storage = yield* Storage
  const state = yield* State
  const images = yield* storage.listImages(options.folder)
  const published = yield* state.publishedContentHashes
  const targets = options.image === undefined
    ? images.filter((i) => published.has(i.contentHash))
    : images.filter((i) => i.name.toLowerCase() === options.image!.toLowerCase())
  if (options.image !== undefined) {
    const target = targets[0]
    if (target === undefined) {
      return yield* new UsageError({ message: `retry: no image named "${options.image}" in the folder` })
    }
    if ((yield* state.platformHistory(target.contentHash)).runs === 0) {
      return yield* new UsageError({
        message: `retry: ${target.name} was never published; use: publisher run --select ${target.name}`
      })
    }
  }
  const results: Array<RetryResult> = []
  for (const image of targets) {
    const timings: Timings = {}
    const prepared = yield* download(image).pipe(Effect.flatMap((d) => caption(d, timings)))
    const outcome = yield* publishAndArchive(prepared, {
      runId: options.correlationId,
      archiveFolder: options.archiveFolder,
      repost: false,
      retryUncertain: options.force
    }, timings)
    results.push({ image: image.name, published: outcome.published, archived: outcome.archived, timings })
  }
  return results
}, (effect, options) => withPublishingLease(options.correlationId)(effect))
