import { Context, type Effect, type Option } from "effect"
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
  /** The request may have reached the platform (timeout after sending): the post may be live. */
  readonly uncertain?: boolean | undefined
}

export interface PlatformSuccess {
  readonly platform: string
  readonly postId: string | undefined
  readonly runId: string
  readonly at: string
}

/** What is known of one image's publications. */
export interface PlatformHistory {
  /** Newest success per platform. */
  readonly successes: ReadonlyArray<PlatformSuccess>
  /** Platforms with no success whose latest attempt ended uncertain. */
  readonly uncertain: ReadonlyArray<string>
  /** How many runs tried to publish this image. */
  readonly runs: number
}

export interface ImportResult {
  /** Hashes not known before this import. */
  readonly added: number
  /** Hashes in the file. */
  readonly total: number
}

/** A perceptual hash of an image's bytes, as stored (the scan's cache, the near-duplicate index). */
export interface StoredImageHash {
  readonly contentHash: string
  readonly imageName: string
  /** 16 hex digits. */
  readonly phash: string
  readonly algorithm: string
  readonly version: number
  /** What was hashed: `original` (the file) or `thumbnail` (Dropbox's 256 px rendering). */
  readonly source: "original" | "thumbnail"
}

/** An unposted image found within the near-duplicate distance of a posted one. */
export interface NearDuplicate {
  readonly contentHash: string
  readonly imageName: string
  /** The posted image it resembles. */
  readonly duplicateOf: string
  readonly duplicateOfName: string
  readonly distance: number
  readonly runId: string
}

/** A posted image with a known perceptual hash: what the near-duplicate index holds. */
export interface PostedImageHash {
  readonly contentHash: string
  readonly imageName: string
  readonly phash: string
}

/**
 * Every row of a State's history, as stored (see migrations.ts): what `publisher state copy`
 * moves from one database to another. Leases are not history and are not included.
 */
export interface StateDump {
  readonly postedHashes: ReadonlyArray<{
    readonly kind: string
    readonly hash: string
    readonly image_name: string | null
    readonly run_id: string | null
    readonly source: string
    readonly posted_at: string
  }>
  /** In insertion order. */
  readonly publications: ReadonlyArray<{
    readonly run_id: string
    readonly content_hash: string
    readonly image_name: string
    readonly platform: string
    readonly ok: number
    readonly post_id: string | null
    readonly error: string | null
    readonly uncertain: number
    readonly at: string
  }>
  readonly imageHashes: ReadonlyArray<{
    readonly content_hash: string
    readonly source: string
    readonly algorithm: string
    readonly version: number
    readonly phash: string
    readonly image_name: string
    readonly hashed_at: string
  }>
  readonly nearDuplicates: ReadonlyArray<{
    readonly content_hash: string
    readonly image_name: string
    readonly duplicate_of: string
    readonly duplicate_of_name: string
    readonly distance: number
    readonly run_id: string
    readonly recorded_at: string
  }>
  readonly unusableImages: ReadonlyArray<{
    readonly content_hash: string
    readonly image_name: string
    readonly reason: string
    readonly run_id: string
    readonly recorded_at: string
  }>
  readonly postedCaptions: ReadonlyArray<{
    readonly content_hash: string
    readonly caption: string
    readonly posted_at: string
  }>
  readonly settings: ReadonlyArray<{
    readonly name: string
    readonly value: string
    readonly updated_at: string
  }>
}

/** Rows a copy added, by table. */
export interface CopyResult {
  readonly posted_hashes: number
  readonly publications: number
  readonly image_hashes: number
  readonly near_duplicates: number
  readonly unusable_images: number
  readonly posted_captions: number
  readonly settings: number
}

/** Who holds a lease, until when (epoch milliseconds). */
export interface LeaseHolder {
  /** The run's correlation id. */
  readonly owner: string
  readonly host: string
  readonly pid: number
  readonly acquiredAt: number
  readonly expiresAt: number
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
  /** Every content_hash that went live on at least one platform. */
  readonly publishedContentHashes: Effect.Effect<ReadonlySet<string>, StateError>
  /**
   * Every content_hash waiting for a check: some platform's latest attempt is uncertain (the post
   * may be live) and no attempt there succeeded. Such an image is never chosen as a fresh one.
   */
  readonly uncertainContentHashes: Effect.Effect<ReadonlySet<string>, StateError>
  /** Where this image already went live, where its outcome is unknown, how many runs tried it. */
  readonly platformHistory: (contentHash: string) => Effect.Effect<PlatformHistory, StateError>
  /** {@link platformHistory} of many images in one round trip per 500 (an image never tried: no successes, 0 runs). */
  readonly platformHistories: (
    contentHashes: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyMap<string, PlatformHistory>, StateError>
  /** Imports publisher_v2 posted.json hashes; idempotent. */
  readonly importPosted: (input: {
    readonly sha256s: ReadonlyArray<string>
    readonly contentHashes: ReadonlyArray<string>
    readonly source: string
  }) => Effect.Effect<ImportResult, StateError>
  /** Stores perceptual hashes; a hash already stored for the same content, source and algorithm is kept. */
  readonly saveImageHashes: (hashes: ReadonlyArray<StoredImageHash>) => Effect.Effect<void, StateError>
  /** Stored hashes of this algorithm and version, by content_hash (an original's hash wins over a thumbnail's). */
  readonly imageHashes: (
    algorithm: string,
    version: number
  ) => Effect.Effect<ReadonlyMap<string, StoredImageHash>, StateError>
  /** Posted (or published) images whose hash of this algorithm and version is known. */
  readonly postedImageHashes: (
    algorithm: string,
    version: number
  ) => Effect.Effect<ReadonlyArray<PostedImageHash>, StateError>
  /** Records an image as a near-duplicate of a posted one: later runs skip it; idempotent. */
  readonly recordNearDuplicate: (record: NearDuplicate) => Effect.Effect<void, StateError>
  /** content_hashes recorded as near-duplicates of posted images. */
  readonly nearDuplicateContentHashes: Effect.Effect<ReadonlySet<string>, StateError>
  /**
   * A file a run could not use (not a decodable image): later runs skip it by content_hash. Recording it again changes
   * nothing.
   */
  readonly recordUnusable: (
    record: {
      readonly contentHash: string
      readonly imageName: string
      readonly reason: string
      readonly runId: string
    }
  ) => Effect.Effect<void, StateError>
  /** The caption a posted image went out with (the first one recorded stays). */
  readonly recordCaption: (
    record: { readonly contentHash: string; readonly caption: string }
  ) => Effect.Effect<void, StateError>
  /** The `limit` latest posted captions, newest first. */
  readonly recentCaptions: (limit: number) => Effect.Effect<ReadonlyArray<string>, StateError>
  /** A setting changed at runtime (JSON text), if it was ever set. */
  readonly getSetting: (name: string) => Effect.Effect<Option.Option<string>, StateError>
  /** Sets (or replaces) a setting. */
  readonly setSetting: (name: string, value: string) => Effect.Effect<void, StateError>
  /** Every content_hash recorded as unusable. */
  readonly unusableContentHashes: Effect.Effect<ReadonlySet<string>, StateError>
  /**
   * Takes lease `name` for `holder` when nobody holds it, it expired, or it is held by `replacing`
   * (a dead holder); one atomic statement, so two processes never both get it. Answers who holds
   * it afterwards: `holder` itself when taken.
   */
  readonly acquireLease: (
    name: string,
    holder: LeaseHolder,
    replacing?: string
  ) => Effect.Effect<LeaseHolder, StateError>
  /** Moves our lease's expiry; false when it is no longer ours (expired and taken). */
  readonly renewLease: (name: string, owner: string, expiresAt: number) => Effect.Effect<boolean, StateError>
  /** Gives our lease back (nothing when it is not ours). */
  readonly releaseLease: (name: string, owner: string) => Effect.Effect<void, StateError>
  /** Every row of the history (not the leases). */
  readonly exportAll: Effect.Effect<StateDump, StateError>
  /**
   * Adds a dump's rows that are not here yet, in one transaction: rows with the same key (or, for
   * publications, the same run, image, platform, outcome and time) are skipped, so copying twice
   * adds nothing. Answers how many rows each table gained.
   */
  readonly importAll: (dump: StateDump) => Effect.Effect<CopyResult, StateError>
  /** A cheap query proving the database answers (health checks). */
  readonly ping: Effect.Effect<void, StateError>
}>() {}
