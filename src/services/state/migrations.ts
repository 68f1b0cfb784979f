import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The schema, in SQL both SQLite and PostgreSQL accept.
 *
 * posted_hashes: one row per (kind, hash) that counts as posted; kind is `content_hash` (Dropbox)
 *   or `sha256` (of the bytes; what publisher_v2 recorded). source is `run` or `import:<file>`.
 * publications: every platform outcome of every run (ok 1/0, the platform's post id), the
 *   ground truth for "already published on this platform".
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
  })
}
