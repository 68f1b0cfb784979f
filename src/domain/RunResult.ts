/** One platform's outcome in a run. */
export interface PlatformOutcome {
  readonly ok: boolean
  readonly id?: string
  readonly error?: string
  /** Already live from an earlier run: not posted again. */
  readonly already_published?: boolean
}

/** The stage timings our users' log queries read (integer milliseconds). */
export interface Timings {
  dropbox_list_images_ms?: number
  image_selection_ms?: number
  vision_analysis_ms?: number
  caption_generation_ms?: number
  sidecar_write_ms?: number
  publish_parallel_ms?: number
  archive_ms?: number
}

export interface SkippedImage {
  readonly image: string
  readonly reason: string
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
  readonly timings: Timings
  readonly message: string
  /** True when the run did what it was asked (including "no new images"). */
  readonly ok: boolean
}
