import { Effect } from "effect"
import type { ImageRef } from "../domain/Image.js"
import { State } from "../services/state/State.js"

export interface WaitingImage {
  readonly image: ImageRef
  /** Where the outcome is uncertain (the post may be live). */
  readonly platforms: ReadonlyArray<string>
  readonly liveSomewhere: boolean
  /** What a person runs once they looked and found it not posted. */
  readonly command: string
  /** The advice in words: where to look, then {@link command}. */
  readonly advice: string
}

/**
 * Images of the folder that wait for a person: some platform's outcome is uncertain (the
 * request may have been applied, its answer was lost), so no run chooses, downloads or posts
 * them again until someone looked and said so (`publisher retry --image NAME --force`).
 */
export const waitingImages = Effect.fn("workflow.waiting_images")(function*(images: ReadonlyArray<ImageRef>) {
  const state = yield* State
  const uncertain = yield* state.uncertainContentHashes
  const mine = images.filter((i) => uncertain.has(i.contentHash))
  if (mine.length === 0) return [] as ReadonlyArray<WaitingImage>
  const histories = yield* state.platformHistories(mine.map((i) => i.contentHash))
  return mine.map((image): WaitingImage => {
    const history = histories.get(image.contentHash)
    const platforms = history?.uncertain ?? []
    const command = `publisher retry --image ${image.name} --force`
    return {
      image,
      platforms,
      liveSomewhere: (history?.successes.length ?? 0) > 0,
      command,
      advice: `uncertain on ${platforms.join(", ")}: look there; if it was not posted: ${command}`
    }
  })
})
