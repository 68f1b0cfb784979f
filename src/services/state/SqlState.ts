import { Migrator, SqlClient, type SqlError } from "@effect/sql"
import { Cause, DateTime, Effect, Layer, Option } from "effect"
import { StateError } from "../../domain/Errors.js"
import { migrations } from "./migrations.js"
import {
  type CopyResult,
  type PlatformHistory,
  type PlatformSuccess,
  type PostedImageHash,
  State,
  type StateDump,
  type StoredImageHash
} from "./State.js"

/** Rows per multi-row INSERT: 6 parameters each stays far below SQLite's and PostgreSQL's limits. */
const CHUNK = 1000

const chunks = <A>(items: ReadonlyArray<A>): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK))
  return out
}

/** Hashes are hex: stored and compared lower-case. */
const normalize = (hash: string) => hash.trim().toLowerCase()

const distinct = (hashes: ReadonlyArray<string>) => [...new Set(hashes.map(normalize))]

const now = DateTime.now.pipe(Effect.map(DateTime.formatIso))

/** Runs a query as operation `operation`: span `state.<operation>`, SqlError -> StateError. */
const op =
  (operation: string, attributes?: Record<string, unknown>) => <A, R>(effect: Effect.Effect<A, SqlError.SqlError, R>) =>
    effect.pipe(
      Effect.mapError((e) => new StateError({ operation, message: `state ${operation}: ${e.message}` })),
      Effect.withSpan(`state.${operation}`, attributes === undefined ? undefined : { attributes })
    )

type HashRow = {
  readonly kind: "content_hash" | "sha256"
  readonly hash: string
  readonly image_name: string | null
  readonly run_id: string | null
  readonly source: string
  readonly posted_at: string
}

interface ImageHashRow {
  readonly content_hash: string
  readonly source: string
  readonly phash: string
  readonly image_name: string
}

interface LeaseRow {
  readonly owner: string
  readonly host: string
  readonly pid: number | string
  readonly acquired_at: number | string
  readonly expires_at: number | string
}

interface PublicationRow {
  readonly platform: string
  readonly ok: number | string
  readonly uncertain: number | string
  readonly post_id: string | null
  readonly run_id: string
  readonly at: string
}

/** Newest row first: the newest success per platform, platforms whose latest attempt is uncertain. */
const toHistory = (rows: ReadonlyArray<PublicationRow>): PlatformHistory => {
  const successes = new Map<string, PlatformSuccess>()
  const latestUncertain = new Map<string, boolean>()
  for (const row of rows) {
    if (!latestUncertain.has(row.platform)) latestUncertain.set(row.platform, Number(row.uncertain) === 1)
    if (Number(row.ok) === 1 && !successes.has(row.platform)) {
      successes.set(row.platform, {
        platform: row.platform,
        postId: row.post_id ?? undefined,
        runId: row.run_id,
        at: row.at
      })
    }
  }
  return {
    successes: [...successes.values()],
    uncertain: [...latestUncertain].filter(([platform, uncertain]) => uncertain && !successes.has(platform)).map((
      [p]
    ) => p),
    runs: new Set(rows.map((r) => r.run_id)).size
  }
}

/**
 * State written against `SqlClient` only, in SQL that SQLite and PostgreSQL both accept (tables in
 * ./migrations.ts): a PostgreSQL layer is `SqlState` over `PgClient.layer` plus the same migrations.
 */
export const SqlState = Layer.effect(
  State,
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** Inserts hash rows, skipping (kind, hash) pairs already present. */
    const insertHashes = (rows: ReadonlyArray<HashRow>) =>
      Effect.forEach(
        chunks(rows),
        (chunk) => sql`INSERT INTO posted_hashes ${sql.insert(chunk)} ON CONFLICT DO NOTHING`,
        {
          discard: true
        }
      )

    const countHashes = sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM posted_hashes`.pipe(
      Effect.map((rows) => Number(rows[0]?.n ?? 0))
    )

    return State.of({
      postedContentHashes: sql<{ hash: string }>`SELECT hash FROM posted_hashes WHERE kind = 'content_hash'`.pipe(
        Effect.map((rows) => new Set(rows.map((r) => r.hash))),
        op("posted_content_hashes")
      ),

      isPostedSha256: (sha256) =>
        sql<{ one: number }>`SELECT 1 AS one FROM posted_hashes WHERE kind = 'sha256' AND hash = ${
          normalize(sha256)
        } LIMIT 1`.pipe(
          Effect.map((rows) => rows.length > 0),
          op("is_posted_sha256")
        ),

      markPosted: (image) =>
        Effect.gen(function*() {
          const at = yield* now
          const common = { image_name: image.imageName, run_id: image.runId, source: "run", posted_at: at }
          yield* insertHashes([
            { kind: "content_hash", hash: normalize(image.contentHash), ...common },
            { kind: "sha256", hash: normalize(image.sha256), ...common }
          ])
        }).pipe(sql.withTransaction, op("mark_posted", { image: image.imageName, run_id: image.runId })),

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
        }).pipe(op("record_publication", { image: r.imageName, platform: r.platform, ok: r.ok })),

      publishedContentHashes: sql<{ content_hash: string }>`SELECT DISTINCT content_hash FROM publications WHERE ok = 1`
        .pipe(
          Effect.map((rows) => new Set(rows.map((r) => r.content_hash))),
          op("published_content_hashes")
        ),

      uncertainContentHashes: sql<{ content_hash: string }>`
        SELECT DISTINCT p.content_hash FROM publications p
        WHERE p.uncertain = 1
          AND p.id = (SELECT MAX(q.id) FROM publications q WHERE q.content_hash = p.content_hash AND q.platform = p.platform)
          AND NOT EXISTS (SELECT 1 FROM publications s WHERE s.content_hash = p.content_hash AND s.platform = p.platform AND s.ok = 1)`
        .pipe(
          Effect.map((rows) => new Set(rows.map((r) => r.content_hash))),
          op("uncertain_content_hashes")
        ),

      platformHistory: (contentHash) =>
        sql<PublicationRow>`
          SELECT platform, ok, uncertain, post_id, run_id, at FROM publications
          WHERE content_hash = ${contentHash} ORDER BY id DESC`.pipe(
          Effect.map(toHistory),
          op("platform_history")
        ),

      platformHistories: (contentHashes) =>
        Effect.forEach(chunks([...new Set(contentHashes)]), (chunk) =>
          sql<PublicationRow & { content_hash: string }>`
            SELECT content_hash, platform, ok, uncertain, post_id, run_id, at FROM publications
            WHERE ${sql.in("content_hash", chunk)} ORDER BY id DESC`).pipe(
            Effect.map((results) => {
              const rows = new Map<string, Array<PublicationRow>>(contentHashes.map((h) => [h, []]))
              for (const row of results.flat()) rows.get(row.content_hash)?.push(row)
              return new Map([...rows].map(([hash, mine]) => [hash, toHistory(mine)]))
            }),
            op("platform_histories", { images: contentHashes.length })
          ),

      importPosted: ({ contentHashes, sha256s, source }) =>
        Effect.gen(function*() {
          const at = yield* now
          const row = (kind: HashRow["kind"]) => (hash: string): HashRow => ({
            kind,
            hash,
            image_name: null,
            run_id: null,
            source,
            posted_at: at
          })
          const rows = [...distinct(sha256s).map(row("sha256")), ...distinct(contentHashes).map(row("content_hash"))]
          const before = yield* countHashes
          yield* insertHashes(rows)
          const after = yield* countHashes
          return { added: after - before, total: rows.length }
        }).pipe(
          sql.withTransaction,
          op("import_posted", { source, sha256s: sha256s.length, content_hashes: contentHashes.length })
        ),

      saveImageHashes: (hashes) =>
        Effect.gen(function*() {
          const at = yield* now
          const rows = hashes.map((h) => ({
            content_hash: normalize(h.contentHash),
            source: h.source,
            algorithm: h.algorithm,
            version: h.version,
            phash: normalize(h.phash),
            image_name: h.imageName,
            hashed_at: at
          }))
          yield* Effect.forEach(chunks(rows), (chunk) =>
            sql`INSERT INTO image_hashes ${sql.insert(chunk)} ON CONFLICT DO NOTHING`, {
            discard: true
          })
        }).pipe(sql.withTransaction, op("save_image_hashes", { count: hashes.length })),

      imageHashes: (algorithm, version) =>
        sql<ImageHashRow>`
          SELECT content_hash, source, phash, image_name FROM image_hashes
          WHERE algorithm = ${algorithm} AND version = ${version}`.pipe(
          Effect.map((rows) => {
            const out = new Map<string, StoredImageHash>()
            for (const row of rows) {
              if (out.get(row.content_hash)?.source === "original") continue
              out.set(row.content_hash, {
                contentHash: row.content_hash,
                imageName: row.image_name,
                phash: row.phash,
                algorithm,
                version,
                source: row.source === "original" ? "original" : "thumbnail"
              })
            }
            return out
          }),
          op("image_hashes")
        ),

      postedImageHashes: (algorithm, version) =>
        sql<{ content_hash: string; image_name: string; phash: string; source: string }>`
          SELECT h.content_hash, h.image_name, h.phash, h.source FROM image_hashes h
          WHERE h.algorithm = ${algorithm} AND h.version = ${version} AND (
            EXISTS (SELECT 1 FROM posted_hashes p WHERE p.kind = 'content_hash' AND p.hash = h.content_hash)
            OR EXISTS (SELECT 1 FROM publications u WHERE u.content_hash = h.content_hash AND u.ok = 1))
          ORDER BY h.content_hash, h.source`.pipe(
          Effect.map((rows) => {
            // One entry per image: 'original' sorts before 'thumbnail', so the original's hash wins.
            const out = new Map<string, PostedImageHash>()
            for (const r of rows) {
              if (!out.has(r.content_hash)) {
                out.set(r.content_hash, { contentHash: r.content_hash, imageName: r.image_name, phash: r.phash })
              }
            }
            return [...out.values()]
          }),
          op("posted_image_hashes")
        ),

      recordNearDuplicate: (record) =>
        Effect.gen(function*() {
          const at = yield* now
          yield* sql`INSERT INTO near_duplicates ${
            sql.insert({
              content_hash: normalize(record.contentHash),
              image_name: record.imageName,
              duplicate_of: normalize(record.duplicateOf),
              duplicate_of_name: record.duplicateOfName,
              distance: record.distance,
              run_id: record.runId,
              recorded_at: at
            })
          } ON CONFLICT DO NOTHING`
        }).pipe(op("record_near_duplicate", { image: record.imageName, distance: record.distance })),

      nearDuplicateContentHashes: sql<{ content_hash: string }>`SELECT content_hash FROM near_duplicates`.pipe(
        Effect.map((rows) => new Set(rows.map((r) => r.content_hash))),
        op("near_duplicate_content_hashes")
      ),

      recordUnusable: (record) =>
        Effect.gen(function*() {
          const at = yield* now
          yield* sql`INSERT INTO unusable_images ${
            sql.insert({
              content_hash: normalize(record.contentHash),
              image_name: record.imageName,
              reason: record.reason,
              run_id: record.runId,
              recorded_at: at
            })
          } ON CONFLICT DO NOTHING`
        }).pipe(op("record_unusable", { image: record.imageName })),

      recordCaption: ({ caption, contentHash }) =>
        Effect.gen(function*() {
          const at = yield* now
          yield* sql`INSERT INTO posted_captions ${
            sql.insert({ content_hash: normalize(contentHash), caption, posted_at: at })
          } ON CONFLICT DO NOTHING`
        }).pipe(op("record_caption")),

      recentCaptions: (limit) =>
        (limit <= 0
          ? Effect.succeed([])
          : sql<
            { caption: string }
          >`SELECT caption FROM posted_captions ORDER BY posted_at DESC, content_hash LIMIT ${limit}`.pipe(
            Effect.map((rows) => rows.map((r) => r.caption))
          )).pipe(op("recent_captions", { limit })),

      getSetting: (name) =>
        sql<{ value: string }>`SELECT value FROM settings WHERE name = ${name}`.pipe(
          Effect.map((rows) => Option.fromNullable(rows[0]?.value)),
          op("get_setting", { name })
        ),

      setSetting: (name, value) =>
        Effect.gen(function*() {
          const at = yield* now
          yield* sql`INSERT INTO settings ${sql.insert({ name, value, updated_at: at })}
            ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`
        }).pipe(op("set_setting", { name })),

      unusableContentHashes: sql<{ content_hash: string }>`SELECT content_hash FROM unusable_images`.pipe(
        Effect.map((rows) => new Set(rows.map((r) => r.content_hash))),
        op("unusable_content_hashes")
      ),

      acquireLease: (name, holder, replacing) =>
        Effect.gen(function*() {
          const row = {
            name,
            owner: holder.owner,
            host: holder.host,
            pid: holder.pid,
            acquired_at: holder.acquiredAt,
            expires_at: holder.expiresAt
          }
          yield* sql`INSERT INTO leases ${sql.insert(row)}
            ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, host = excluded.host, pid = excluded.pid,
              acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
            WHERE leases.expires_at <= ${holder.acquiredAt} OR leases.owner = ${replacing ?? holder.owner}`
          const [current] = yield* sql<
            LeaseRow
          >`SELECT owner, host, pid, acquired_at, expires_at FROM leases WHERE name = ${name}`
          return current === undefined
            ? holder
            : {
              owner: current.owner,
              host: current.host,
              pid: Number(current.pid),
              acquiredAt: Number(current.acquired_at),
              expiresAt: Number(current.expires_at)
            }
        }).pipe(op("acquire_lease", { name })),

      renewLease: (name, owner, expiresAt) =>
        sql<
          { owner: string }
        >`UPDATE leases SET expires_at = ${expiresAt} WHERE name = ${name} AND owner = ${owner} RETURNING owner`.pipe(
          Effect.map((rows) => rows.length > 0),
          op("renew_lease", { name })
        ),

      releaseLease: (name, owner) =>
        sql`DELETE FROM leases WHERE name = ${name} AND owner = ${owner}`.pipe(
          Effect.asVoid,
          op("release_lease", { name })
        ),

      exportAll: Effect.gen(function*() {
        const postedHashes = yield* sql<
          StateDump["postedHashes"][number]
        >`SELECT kind, hash, image_name, run_id, source, posted_at FROM posted_hashes ORDER BY kind, hash`
        const publications = yield* sql<
          StateDump["publications"][number]
        >`SELECT run_id, content_hash, image_name, platform, ok, post_id, error, uncertain, at FROM publications ORDER BY id`
        const imageHashes = yield* sql<
          StateDump["imageHashes"][number]
        >`SELECT content_hash, source, algorithm, version, phash, image_name, hashed_at FROM image_hashes ORDER BY content_hash, source`
        const nearDuplicates = yield* sql<
          StateDump["nearDuplicates"][number]
        >`SELECT content_hash, image_name, duplicate_of, duplicate_of_name, distance, run_id, recorded_at FROM near_duplicates ORDER BY content_hash`
        const unusableImages = yield* sql<
          StateDump["unusableImages"][number]
        >`SELECT content_hash, image_name, reason, run_id, recorded_at FROM unusable_images ORDER BY content_hash`
        const postedCaptions = yield* sql<
          StateDump["postedCaptions"][number]
        >`SELECT content_hash, caption, posted_at FROM posted_captions ORDER BY content_hash`
        const settings = yield* sql<
          StateDump["settings"][number]
        >`SELECT name, value, updated_at FROM settings ORDER BY name`
        return {
          postedHashes,
          publications: publications.map((p) => ({ ...p, ok: Number(p.ok), uncertain: Number(p.uncertain) })),
          imageHashes: imageHashes.map((h) => ({ ...h, version: Number(h.version) })),
          nearDuplicates: nearDuplicates.map((n) => ({ ...n, distance: Number(n.distance) })),
          unusableImages,
          postedCaptions,
          settings
        } satisfies StateDump
      }).pipe(op("export_all")),

      importAll: (dump) =>
        Effect.gen(function*() {
          const count = (table: string) =>
            sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM ${sql(table)}`.pipe(
              Effect.map((rows) => Number(rows[0]?.n ?? 0))
            )
          const tables = [
            "posted_hashes",
            "publications",
            "image_hashes",
            "near_duplicates",
            "unusable_images",
            "posted_captions",
            "settings"
          ] as const
          const before = yield* Effect.forEach(tables, count)
          const insertAll = (table: string, rows: ReadonlyArray<Record<string, unknown>>) =>
            Effect.forEach(chunks(rows), (chunk) =>
              sql`INSERT INTO ${sql(table)} ${
                sql.insert(chunk as Array<Record<string, unknown>>)
              } ON CONFLICT DO NOTHING`, { discard: true })
          yield* insertAll("posted_hashes", dump.postedHashes)
          yield* insertAll("image_hashes", dump.imageHashes)
          yield* insertAll("near_duplicates", dump.nearDuplicates)
          yield* insertAll("unusable_images", dump.unusableImages)
          yield* insertAll("posted_captions", dump.postedCaptions)
          // A setting already here (changed on the target) is kept.
          yield* insertAll("settings", dump.settings)
          // Publications have no natural key: an identical attempt already here is not added again.
          yield* Effect.forEach(dump.publications, (p) =>
            sql`INSERT INTO publications (run_id, content_hash, image_name, platform, ok, post_id, error, uncertain, at)
              SELECT ${p.run_id}, ${p.content_hash}, ${p.image_name}, ${p.platform}, ${p.ok}, ${p.post_id}, ${p.error}, ${p.uncertain}, ${p.at}
              WHERE NOT EXISTS (SELECT 1 FROM publications WHERE run_id = ${p.run_id} AND content_hash = ${p.content_hash}
                AND platform = ${p.platform} AND ok = ${p.ok} AND uncertain = ${p.uncertain} AND at = ${p.at})`, {
            discard: true
          })
          const after = yield* Effect.forEach(tables, count)
          return {
            posted_hashes: after[0]! - before[0]!,
            publications: after[1]! - before[1]!,
            image_hashes: after[2]! - before[2]!,
            near_duplicates: after[3]! - before[3]!,
            unusable_images: after[4]! - before[4]!,
            posted_captions: after[5]! - before[5]!,
            settings: after[6]! - before[6]!
          } satisfies CopyResult
        }).pipe(sql.withTransaction, op("import_all")),

      ping: sql`SELECT 1`.pipe(Effect.asVoid, op("ping"))
    })
  })
)

export const describeError = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** Applies the migrations not yet recorded in `effect_sql_migrations` (none on a current database). */
const Migrations = (label: string) =>
  Layer.effectDiscard(
    Migrator.make({})({ loader: Migrator.fromRecord(migrations) }).pipe(
      Effect.mapError((e) =>
        new StateError({ operation: "migrate", message: `state database ${label}: ${e.message}` })
      ),
      Effect.withSpan("state.migrate", { attributes: { database: label } })
    )
  )

/**
 * State over a SQL client layer, its schema migrated at startup. A database that cannot be opened
 * or migrated is a StateError naming `label` (never a secret), not a crash.
 */
export const sqlStateOver = <E>(
  label: string,
  client: Layer.Layer<SqlClient.SqlClient, E>
): Layer.Layer<State, StateError> =>
  SqlState.pipe(
    Layer.provide(Migrations(label)),
    Layer.provide(client),
    Layer.catchAllCause((cause) => {
      if (Cause.isInterruptedOnly(cause)) return Layer.failCause(cause as Cause.Cause<never>)
      const error = Cause.squash(cause)
      return Layer.fail(
        error instanceof StateError
          ? error
          : new StateError({ operation: "open", message: `state database ${label}: ${describeError(error)}` })
      )
    })
  )
