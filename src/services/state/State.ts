import { Context, type Effect } from "effect"
import type { StateError } from "../../domain/Errors.js"

export interface PostedImage {
  readonly contentHash: string
  /** SHA-256 of the bytes (what publisher_v2's posted.json holds). */
  readonly sha256: string
  readonly imageName: string
  readonly runId: string
}

export interface PublicationRecord {
  readonly runId: string
  readonly contentHash: string
  readonly imageName: string
  readonly platform: string
  readonly ok: boolean
  readonly postId?: string | undefined
  readonly error?: string | undefined
}

export interface PlatformSuccess {
  readonly platform: string
  readonly postId: string | undefined
  readonly runId: string
  readonly at: string
}

export interface ImportResult {
  /** Hashes not known before this import. */
  readonly added: number
  /** Hashes in the file. */
  readonly total: number
}

/** What has been posted: the memory that makes "never post the same photo twice" true. */
export class State extends Context.Tag("publisher/State")<State, {
  /** Every content_hash that counts as posted. */
  readonly postedContentHashes: Effect.Effect<ReadonlySet<string>, StateError>
  /** True when this SHA-256 of image bytes was posted (imported from publisher_v2 or recorded). */
  readonly isPostedSha256: (sha256: string) => Effect.Effect<boolean, StateError>
  /** Records a content_hash as posted (both keys, one transaction); idempotent. */
  readonly markPosted: (image: PostedImage) => Effect.Effect<void, StateError>
  /** Records one platform's outcome for an image. */
  readonly recordPublication: (record: PublicationRecord) => Effect.Effect<void, StateError>
  /** The platforms on which this image already went live (newest success per platform). */
  readonly successfulPlatforms: (contentHash: string) => Effect.Effect<ReadonlyArray<PlatformSuccess>, StateError>
  /** Imports publisher_v2 posted.json hashes; idempotent. */
  readonly importPosted: (input: {
    readonly sha256s: ReadonlyArray<string>
    readonly contentHashes: ReadonlyArray<string>
    readonly source: string
  }) => Effect.Effect<ImportResult, StateError>
  /** A cheap query proving the database answers (health checks). */
  readonly ping: Effect.Effect<void, StateError>
}>() {}
