import { Metric, MetricBoundaries } from "effect"

/** Millisecond buckets from 5 ms to about 80 s. */
const msBoundaries = MetricBoundaries.exponential({ start: 5, factor: 2, count: 15 })

/** Duration of each workflow stage (tag `stage`: the `*_ms` field names without `_ms`). */
export const stageDuration = Metric.histogram(
  "publisher_stage_duration_ms",
  msBoundaries,
  "Duration of each workflow stage in milliseconds"
)
/** Duration of each admin endpoint (tag `endpoint`). */
export const endpointDuration = Metric.histogram(
  "publisher_http_endpoint_duration_ms",
  msBoundaries,
  "Duration of admin API endpoints in milliseconds"
)
/** AI calls (tags `operation`, `outcome`). */
export const aiCalls = Metric.counter("publisher_ai_calls_total", { description: "AI calls" })
/** AI tokens (tags `operation`, `kind`: prompt | completion). */
export const aiTokens = Metric.counter("publisher_ai_tokens_total", { description: "AI tokens used" })
/** Time an AI call waited for the rate limiter. */
export const rateLimiterWait = Metric.histogram(
  "publisher_ai_rate_limiter_wait_ms",
  msBoundaries,
  "Time AI calls waited for the rate limiter in milliseconds"
)
/** Storage calls (tag `operation`, e.g. list, download, move_batch). */
export const storageCalls = Metric.counter("publisher_storage_calls_total", {
  description: "Storage (Dropbox) API calls by operation"
})
/** Images downloaded. */
export const imageDownloads = Metric.counter("publisher_image_downloads_total", { description: "Images downloaded" })
/** Publish outcomes (tags `platform`, `status`). */
export const publishOutcomes = Metric.counter("publisher_publish_total", {
  description: "Publish outcomes per platform"
})
/** Image list cache lookups (tag `result`: hit | stale | miss). */
export const imageListCache = Metric.counter("publisher_image_list_cache_total", {
  description: "Image list cache lookups"
})
/** Retries of transient failures. */
export const retries = Metric.counter("publisher_retries_total", { description: "Retries of transient failures" })

export const nearDuplicatesSkipped = Metric.counter("publisher_near_duplicates_skipped_total", {
  description: "Candidates skipped as near-duplicates of posted images"
})

export const unusableImagesSkipped = Metric.counter("publisher_unusable_images_skipped_total", {
  description: "Candidates skipped because no decoder reads them"
})

export const scheduledRuns = Metric.counter("publisher_scheduled_runs_total", {
  description: "Runs started by PUBLISH_SCHEDULE, by outcome (posted, nothing, failed)"
})

export const visionFallbacks = Metric.counter("publisher_vision_fallbacks_total", {
  description: "Analyses asked again with the larger image (VISION_FALLBACK)"
})
