import { SqlClient, type SqlError } from "@effect/sql"
import { DateTime, Effect, Layer } from "effect"
import { StateError } from "../../domain/Errors.js"
import { type PlatformSuccess, State } from "./State.js"

const CHUNK = 400

const chunks = <A>(items: ReadonlyArray<A>): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK))
  return out
}

const now = DateTime.now.pipe(Effect.map(DateTime.formatIso))

/** Runs a query as operation `op`: a span, and SqlError -> StateError. */
const op = (operation: string) => <A, R>(effect: Effect.Effect<A, SqlError.SqlError, R>) =>
  effect.pipe(
    Effect.mapError((e) => new StateError({ operation, message: `state ${operation}: ${e.message}` })),
    Effect.withSpan(`state.${operation}`)
  )

/** State written against `SqlClient` only: the same queries serve SQLite and PostgreSQL. */
export const SqlState = Layer.effect(
  State,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const insertHashes = (rows: ReadonlyArray<{ kind: string; hash: string; image_name: string | null; run_id: string | null; source: string; posted_at: string }>) =>
      Effect.forEach(chunks(rows), (chunk) => sql`INSERT INTO posted_hashes ${sql.insert(chunk)} ON CONFLICT DO NOTHING`, { discard: true })

    return State.of({
      postedContentHashes: sql<{ hash: string }>`SELECT hash FROM posted_hashes WHERE kind = 'content_hash'`.pipe(
        Effect.map((rows) => new Set(rows.map((r) => r.hash))),
        op("posted_content_hashes")
      ),

      isPostedSha256: (sha256) =>
        sql<{ n: number }>`SELECT COUNT(*) AS n FROM posted_hashes WHERE kind = 'sha256' AND hash = ${sha256}`.pipe(
          Effect.map((rows) => Number(rows[0]?.n ?? 0) > 0),
          op("is_posted_sha256")
        ),

      markPosted: (image) =>
        Effect.gen(function*() {
          const at = yield* now
          const common = { image_name: image.imageName, run_id: image.runId, source: "run", posted_at: at }
          yield* insertHashes([
            { kind: "content_hash", hash: image.contentHash, ...common },
            { kind: "sha256", hash: image.sha256, ...common }
          ])
        }).pipe(sql.withTransaction, op("mark_posted")),

      recordPublication: (r) =>
        Effect.gen(function*() {
          const at = yield* now
          yield* sql`INSERT INTO publications ${
            sql.insert({
              run_id: r.runId,
              content_hash: r.contentHash,
              image_name: r.imageName,
              platform: r.platform,
              ok: r.ok ? 1 : 0,
              post_id: r.postId ?? null,
              error: r.error ?? null,
              uncertain: r.uncertain ? 1 : 0,
              at
            })
          }`
        }).pipe(op("record_publication")),

      publishedContentHashes: sql<{ content_hash: string }>`SELECT DISTINCT content_hash FROM publications WHERE ok = 1`.pipe(
        Effect.map((rows) => new Set(rows.map((r) => r.content_hash))),
        op("published_content_hashes")
      ),

      platformHistory: (contentHash) =>
        sql<{ platform: string; ok: number; uncertain: number; post_id: string | null; run_id: string; at: string }>`
          SELECT platform, ok, uncertain, post_id, run_id, at FROM publications
          WHERE content_hash = ${contentHash} ORDER BY at DESC`.pipe(
          Effect.map((rows) => {
            const successes = new Map<string, PlatformSuccess>()
            const latest = new Map<string, boolean>()
            for (const row of rows) {
              if (!latest.has(row.platform)) latest.set(row.platform, Number(row.uncertain) === 1)
              if (Number(row.ok) === 1 && !successes.has(row.platform)) {
                successes.set(row.platform, { platform: row.platform, postId: row.post_id ?? undefined, runId: row.run_id, at: row.at })
              }
            }
            return {
              successes: [...successes.values()],
              uncertain: [...latest].filter(([p, u]) => u && !successes.has(p)).map(([p]) => p),
              runs: new Set(rows.map((r) => r.run_id)).size
            }
          }),
          op("platform_history")
        ),

      importPosted: ({ contentHashes, sha256s, source }) =>
        Effect.gen(function*() {
          const at = yield* now
          const known = new Set(
            (yield* sql<{ kind: string; hash: string }>`SELECT kind, hash FROM posted_hashes`).map((r) => `${r.kind}:${r.hash}`)
          )
          const rows = [
            ...sha256s.map((hash) => ({ kind: "sha256", hash })),
            ...contentHashes.map((hash) => ({ kind: "content_hash", hash }))
          ].filter((r) => !known.has(`${r.kind}:${r.hash}`))
          yield* insertHashes(rows.map((r) => ({ ...r, image_name: null, run_id: null, source, posted_at: at })))
          return { added: rows.length, total: sha256s.length + contentHashes.length }
        }).pipe(sql.withTransaction, op("import_posted")),

      ping: sql`SELECT 1`.pipe(Effect.asVoid, op("ping"))
    })
  })
)
