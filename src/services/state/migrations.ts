import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The schema. Every statement is plain SQL that SQLite (>= 3.35) and PostgreSQL both accept,
 * except the identity column of 0003, chosen per dialect.
 *
 * posted_hashes — what counts as posted ("never post the same photo twice").
 *   kind        'content_hash' (Dropbox content_hash) | 'sha256' (of the image bytes; what
 *               publisher_v2's posted.json holds)
 *   hash        lower-case hex
 *   image_name  the file name when recorded by a run; NULL for imports
 *   run_id      the run's correlation id; NULL for imports
 *   source      'run' | 'import:<file>'
 *   posted_at   ISO-8601 UTC
 *   PRIMARY KEY (kind, hash): an image is recorded once per key; inserts use ON CONFLICT DO
 *   NOTHING, so recording twice is harmless, and `WHERE kind = ...` is an index range scan.
 *
 * publications — every per-platform outcome of every run, append-only; the ground truth for
 *   "already live on this platform" (exactly-once retries).
 *   id          insertion order (identity), so "latest attempt" is exact even within one millisecond
 *   run_id, content_hash, image_name, platform
 *   ok          1 live / 0 failed
 *   post_id     the platform's id of the post, when it gave one
 *   error       the failure message
 *   uncertain   1 when the request may have reached the platform although it failed (timeout
 *               after sending): the post may be live
 *   at          ISO-8601 UTC
 *   INDEX publications_by_image (content_hash, platform)
 *
 * image_hashes — perceptual hashes by content: the scan's cache (a second scan hashes only new
 *   files) and, joined with what was posted, the near-duplicate index built at startup.
 *   content_hash  Dropbox content_hash of the file that was hashed
 *   source        'original' (the file's bytes) | 'thumbnail' (Dropbox's 256 px PNG rendering)
 *   algorithm, version   e.g. 'imagehash-phash-8x8', 1: another algorithm or version is another row
 *   phash         16 lower-case hex digits (64 bits, first bit most significant)
 *   image_name    the file name when hashed
 *   hashed_at     ISO-8601 UTC
 *   PRIMARY KEY (content_hash, source, algorithm, version)
 *
 * near_duplicates — unposted images found within NEAR_DUPLICATE_DISTANCE of a posted image; runs
 *   skip them by content_hash (no download), as they skip posted ones.
 *   content_hash (PRIMARY KEY), image_name, duplicate_of (content_hash of the posted image),
 *   duplicate_of_name, distance (bits), run_id, recorded_at
 *
 * leases — who may publish now: a run that publishes takes the 'publishing' lease, renews it while
 *   it runs and gives it back at the end; an expired lease (its process died) is free again.
 *   name (PRIMARY KEY), owner (run correlation id), host, pid, acquired_at, expires_at (epoch ms)
 *
 * unusable_images — files a run chose but could not use (not a decodable image); runs skip them
 *   by content_hash, so one broken file never blocks posting. A fixed file has a new content_hash.
 *   content_hash (PRIMARY KEY), image_name, reason, run_id, recorded_at
 *
 * posted_captions — the caption each posted image went out with, so the caption model is shown
 *   the latest ones and does not repeat itself (CAPTION_HISTORY).
 *   content_hash (PRIMARY KEY), caption, posted_at; INDEX posted_captions_by_time
 *
 * settings — values changed at runtime from the admin API that every process must see (the
 *   caption examples: publisher_v2's voice profile). name (PRIMARY KEY), value (JSON), updated_at
 */
export const migrations = {
  "0001_create_tables": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE IF NOT EXISTS posted_hashes (
      kind TEXT NOT NULL,
      hash TEXT NOT NULL,
      image_name TEXT,
      run_id TEXT,
      source TEXT NOT NULL,
      posted_at TEXT NOT NULL,
      PRIMARY KEY (kind, hash)
    )`
    yield* sql`CREATE TABLE IF NOT EXISTS publications (
      run_id TEXT NOT NULL,
      content_hash TEXT NOT NULL,
      image_name TEXT NOT NULL,
      platform TEXT NOT NULL,
      ok INTEGER NOT NULL,
      post_id TEXT,
      error TEXT,
      at TEXT NOT NULL
    )`
    yield* sql`CREATE INDEX IF NOT EXISTS publications_by_image ON publications (content_hash, platform)`
  }),
  "0002_uncertain_outcomes": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // 1 when the request may have reached the platform although it answered with a failure.
    yield* sql`ALTER TABLE publications ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0`
  }),
  "0003_publication_order": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // Timestamps tie (same millisecond, or a test clock): an identity column orders attempts.
    const id = sql.onDialectOrElse({
      pg: () => sql.literal("id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
      mysql: () => sql.literal("id BIGINT AUTO_INCREMENT PRIMARY KEY"),
      orElse: () => sql.literal("id INTEGER PRIMARY KEY AUTOINCREMENT")
    })
    yield* sql`CREATE TABLE publications_ordered (
      ${id},
      run_id TEXT NOT NULL,
      content_hash TEXT NOT NULL,
      image_name TEXT NOT NULL,
      platform TEXT NOT NULL,
      ok INTEGER NOT NULL,
      post_id TEXT,
      error TEXT,
      uncertain INTEGER NOT NULL DEFAULT 0,
      at TEXT NOT NULL
    )`
    yield* sql`INSERT INTO publications_ordered (run_id, content_hash, image_name, platform, ok, post_id, error, uncertain, at)
      SELECT run_id, content_hash, image_name, platform, ok, post_id, error, uncertain, at FROM publications ORDER BY at`
    yield* sql`DROP TABLE publications`
    yield* sql`ALTER TABLE publications_ordered RENAME TO publications`
    yield* sql`CREATE INDEX publications_by_image ON publications (content_hash, platform)`
  }),
  "0004_perceptual_hashes": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE image_hashes (
      content_hash TEXT NOT NULL,
      source TEXT NOT NULL,
      algorithm TEXT NOT NULL,
      version INTEGER NOT NULL,
      phash TEXT NOT NULL,
      image_name TEXT NOT NULL,
      hashed_at TEXT NOT NULL,
      PRIMARY KEY (content_hash, source, algorithm, version)
    )`
    yield* sql`CREATE TABLE near_duplicates (
      content_hash TEXT PRIMARY KEY,
      image_name TEXT NOT NULL,
      duplicate_of TEXT NOT NULL,
      duplicate_of_name TEXT NOT NULL,
      distance INTEGER NOT NULL,
      run_id TEXT NOT NULL,
      recorded_at TEXT NOT NULL
    )`
  }),
  "0005_leases": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE leases (
      name TEXT PRIMARY KEY,
      owner TEXT NOT NULL,
      host TEXT NOT NULL,
      pid INTEGER NOT NULL,
      acquired_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL
    )`
  }),
  "0006_unusable_images": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE unusable_images (
      content_hash TEXT PRIMARY KEY,
      image_name TEXT NOT NULL,
      reason TEXT NOT NULL,
      run_id TEXT NOT NULL,
      recorded_at TEXT NOT NULL
    )`
  }),
  "0007_posted_captions": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE posted_captions (
      content_hash TEXT PRIMARY KEY,
      caption TEXT NOT NULL,
      posted_at TEXT NOT NULL
    )`
    yield* sql`CREATE INDEX posted_captions_by_time ON posted_captions (posted_at)`
  }),
  "0008_settings": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE settings (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`
  })
}
