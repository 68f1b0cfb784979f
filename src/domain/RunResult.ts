/**
 * One platform's outcome in a run: `published` now, `already_published` by an earlier run (not
 * posted again), `failed`, or `uncertain` (the platform may have posted despite failing; not
 * retried automatically: `publisher retry --image NAME --force` after checking).
 */
export type PlatformStatus = "published" | "already_published" | "failed" | "uncertain"

export interface PlatformOutcome {
  readonly status: PlatformStatus
  /** Live on the platform (`published` or `already_published`). */
  readonly ok: boolean
  readonly id?: string
  readonly error?: string
}

/** The stage timings our users' log queries read (integer milliseconds). */
export interface Timings {
  dropbox_list_images_ms?: number
  image_selection_ms?: number
  /** Perceptual hashing of the downloaded candidates (summed over candidates). */
  phash_ms?: number
  vision_analysis_ms?: number
  caption_generation_ms?: number
  sidecar_write_ms?: number
  publish_parallel_ms?: number
  archive_ms?: number
}

export interface SkippedImage {
  readonly image: string
  readonly reason: string
  /**
   * Why, for machines: `posted_sha256` | `near_duplicate` | `unusable` (not a decodable image) | `uncertain` |
   * `max_attempts`.
   */
  readonly code?: "posted_sha256" | "near_duplicate" | "unusable" | "uncertain" | "max_attempts"
  /** For a near-duplicate: the posted image it resembles, and the Hamming distance of their pHashes. */
  readonly near_duplicate_of?: string
  readonly distance?: number
}

/** What `publisher run --json` prints: one object per run. */
export interface RunResult {
  readonly correlation_id: string
  readonly image: string | null
  readonly content_hash: string | null
  readonly caption: string | null
  readonly sd_caption: string | null
  readonly published: Readonly<Record<string, PlatformOutcome>>
  readonly archived: boolean
  readonly dry_publish: boolean
  readonly preview: boolean
  /** Captions came from the sidecar cache: no AI call was made. */
  readonly from_sidecar: boolean
  readonly skipped: ReadonlyArray<SkippedImage>
  /** This run finished an image an earlier run had started (published to the rest, or archived). */
  readonly resumed: boolean
  readonly timings: Timings
  readonly message: string
  /** The user's own `.txt` that stood where the sidecar goes: kept under this name, in the image's folder. */
  readonly user_file_kept?: string
  /** True when the run did what it was asked (including "no new images"). */
  readonly ok: boolean
  /**
   * `--preview` and `--dry-publish`: what each enabled platform would get, after its own caption
   * rules (an email also its subject).
   */
  readonly platform_captions?: Readonly<Record<string, PlatformCaption>>
}

export interface PlatformCaption {
  readonly caption: string
  readonly subject?: string
}
