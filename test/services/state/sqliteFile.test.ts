import { Migrator, SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer } from "effect"
import { existsSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
import { StateDbConfig } from "../../../src/services/state/config.js"
import { migrations } from "../../../src/services/state/migrations.js"
import { makeSqliteState } from "../../../src/services/state/SqliteLive.js"
import { SqlState } from "../../../src/services/state/SqlState.js"
import { State } from "../../../src/services/state/State.js"
import { StateLive } from "../../../src/services/state/StateLive.js"
import { useTempDirs } from "../../support/tempDir.js"

const hex = (c: string) => c.repeat(64)
const tempDirs = useTempDirs()
const tempDir = Effect.promise(() => tempDirs("publisher-state-"))
const withConfig = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

/** Runs `body` against the raw database file, outside the State service. */
const raw = <A, E>(filename: string, body: Effect.Effect<A, E, SqlClient.SqlClient>) =>
  body.pipe(Effect.provide(SqliteClient.layer({ filename })))

describe("SQLite state file", () => {
  it.live("data persists across layer rebuilds; reopening (migrations again) is fine", () =>
    Effect.gen(function*() {
      const file = join(yield* tempDir, "state.db")
      const image = { contentHash: hex("d"), sha256: hex("e"), imageName: "d.jpg", runId: "run-1" }
      const use = <A, E>(f: (s: State["Type"]) => Effect.Effect<A, E>) =>
        State.pipe(Effect.flatMap(f), Effect.provide(makeSqliteState(file)))
      yield* use((s) => s.markPosted(image))
      yield* use((s) => s.recordPublication({ ...image, platform: "telegram", ok: true, postId: "1" }))
      yield* use((s) => s.importPosted({ sha256s: [hex("f")], contentHashes: [], source: "import:posted.json" }))
      expect(yield* use((s) => s.postedContentHashes)).toEqual(new Set([hex("d")]))
      expect(yield* use((s) => s.isPostedSha256(hex("f")))).toBe(true)
      expect((yield* use((s) => s.platformHistory(hex("d")))).successes.map((s) => s.postId)).toEqual(["1"])
      const applied = yield* raw(
        file,
        SqlClient.SqlClient.pipe(
          Effect.flatMap((sql) => sql<{ name: string }>`SELECT name FROM effect_sql_migrations ORDER BY migration_id`)
        )
      )
      expect(applied.map((r) => r.name)).toEqual(Object.keys(migrations).map((k) => k.replace(/^\d+_/, "")))
    }))

  it.live("the file is in WAL mode, in a folder created on demand", () =>
    Effect.gen(function*() {
      const file = join(yield* tempDir, "nested", "deeper", "state.db")
      yield* State.pipe(Effect.flatMap((s) => s.ping), Effect.provide(makeSqliteState(file)))
      expect(existsSync(file)).toBe(true)
      const mode = yield* raw(
        file,
        SqlClient.SqlClient.pipe(Effect.flatMap((sql) => sql<{ journal_mode: string }>`PRAGMA journal_mode`))
      )
      expect(mode[0]?.journal_mode).toBe("wal")
    }))

  it.live("a database from before 0003 keeps its publications, in order", () =>
    Effect.gen(function*() {
      const file = join(yield* tempDir, "old.db")
      const { "0001_create_tables": m1, "0002_uncertain_outcomes": m2 } = migrations
      yield* raw(
        file,
        Effect.gen(function*() {
          yield* Migrator.make({})({
            loader: Migrator.fromRecord({ "0001_create_tables": m1, "0002_uncertain_outcomes": m2 })
          })
          const sql = yield* SqlClient.SqlClient
          const row = {
            run_id: "r1",
            content_hash: hex("a"),
            image_name: "a.jpg",
            post_id: null,
            error: null,
            at: "2026-01-01T00:00:00.000Z"
          }
          yield* sql`INSERT INTO publications ${
            sql.insert([
              { ...row, platform: "telegram", ok: 1, uncertain: 0, post_id: "5" },
              { ...row, platform: "email", ok: 0, uncertain: 1, at: "2026-01-01T00:00:01.000Z" }
            ])
          }`
        })
      )
      const history = yield* State.pipe(
        Effect.flatMap((s) => s.platformHistory(hex("a"))),
        Effect.provide(makeSqliteState(file))
      )
      expect(history).toEqual({
        successes: [{ platform: "telegram", postId: "5", runId: "r1", at: "2026-01-01T00:00:00.000Z" }],
        uncertain: ["email"],
        runs: 1
      })
    }))

  it.live("a file that cannot be opened is a StateError naming the file", () =>
    Effect.gen(function*() {
      const exit = yield* State.pipe(Effect.provide(makeSqliteState("/proc/definitely/not/here.db")), Effect.exit)
      expect(exit).toMatchObject({
        _tag: "Failure",
        cause: { _tag: "Fail", error: { _tag: "StateError", operation: "open" } }
      })
      if (Exit.isFailure(exit)) expect(JSON.stringify(exit.cause)).toContain("/proc/definitely/not/here.db")
    }))

  it.live("a failing query is a StateError naming the operation", () =>
    Effect.gen(function*() {
      // No migrations: the tables are missing.
      const bare = SqlState.pipe(Layer.provide(SqliteClient.layer({ filename: ":memory:" })))
      const error = yield* State.pipe(Effect.flatMap((s) => s.postedContentHashes), Effect.flip, Effect.provide(bare))
      expect(error).toMatchObject({ _tag: "StateError", operation: "posted_content_hashes" })
      expect(error.message).toMatch(/posted_content_hashes/)
    }))

  it.live("StateLive opens PUBLISHER_STATE_DB when DATABASE_URL is unset", () =>
    Effect.gen(function*() {
      const file = join(yield* tempDir, "sub", "live.db")
      yield* State.pipe(
        Effect.flatMap((s) => s.ping),
        Effect.provide(StateLive),
        withConfig({ PUBLISHER_STATE_DB: file })
      )
      expect(existsSync(file)).toBe(true)
    }))
})

describe("StateDbConfig", () => {
  const resolve = (env: Record<string, string>) => StateDbConfig.pipe(withConfig(env))

  it.effect("PUBLISHER_STATE_DB wins; ~ is the home folder; :memory: passes through", () =>
    Effect.gen(function*() {
      expect(yield* resolve({ PUBLISHER_STATE_DB: "/data/s.db", XDG_STATE_HOME: "/xdg" })).toBe("/data/s.db")
      expect(yield* resolve({ PUBLISHER_STATE_DB: "~/s.db" })).toBe(join(homedir(), "s.db"))
      expect(yield* resolve({ PUBLISHER_STATE_DB: ":memory:" })).toBe(":memory:")
    }))

  it.effect("else $XDG_STATE_HOME/publisher/state.db, else ~/.local/state/publisher/state.db", () =>
    Effect.gen(function*() {
      expect(yield* resolve({ XDG_STATE_HOME: "/xdg" })).toBe("/xdg/publisher/state.db")
      expect(yield* resolve({})).toBe(join(homedir(), ".local", "state", "publisher", "state.db"))
      // Blank values are unset; a relative XDG_STATE_HOME is invalid per the XDG spec.
      expect(yield* resolve({ PUBLISHER_STATE_DB: " ", XDG_STATE_HOME: "relative/dir" })).toBe(
        join(homedir(), ".local", "state", "publisher", "state.db")
      )
    }))
})
