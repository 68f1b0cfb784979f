import { Context, type Effect } from "effect"
import type { CaptionPair, ImageAnalysis } from "../../domain/Analysis.js"
import type { PublishError } from "../../domain/Errors.js"
import type { ImageRef } from "../../domain/Image.js"

/** Everything a platform may need to publish one image. */
export interface Post {
  readonly image: ImageRef
  readonly bytes: Uint8Array
  readonly mimeType: string
  readonly captions: CaptionPair
  readonly analysis: ImageAnalysis
}

export interface PublishReceipt {
  readonly platform: string
  /** The platform's id of the post (Telegram message_id, Instagram media id, SMTP message id). */
  readonly postId: string | undefined
}

/** One platform. Each formats the caption by its own rules. */
export interface PlatformPublisher {
  readonly platform: string
  readonly publish: (post: Post) => Effect.Effect<PublishReceipt, PublishError>
  /**
   * Proves, without posting, that publishing can work (credentials accepted, the target exists
   * and takes posts); answers what it found, in a few words (`publisher check`).
   */
  readonly check: Effect.Effect<string, PublishError>
}

/**
 * The enabled platforms. Workflows iterate this list; adding a platform means adding a layer
 * to the registry, never touching a workflow.
 */
export class Publishers extends Context.Tag("publisher/Publishers")<Publishers, ReadonlyArray<PlatformPublisher>>() {}
