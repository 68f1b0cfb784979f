import { mkdirSync } from "node:fs"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import { Migrator } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Cause, Config, Effect, Layer } from "effect"
import { StateError } from "../../domain/Errors.js"
import { migrations } from "./migrations.js"
import { SqlState } from "./SqlState.js"

/** `PUBLISHER_STATE_DB`, default `$XDG_STATE_HOME/publisher/state.db` (`~/.local/state/...`). */
export const StateDbConfig = Config.string("PUBLISHER_STATE_DB").pipe(
  Config.orElse(() =>
    Config.string("XDG_STATE_HOME").pipe(
      Config.withDefault(join(homedir(), ".local", "state")),
      Config.map((base) => join(base, "publisher", "state.db"))
    )
  )
)

const runMigrations = Migrator.make({})({ loader: Migrator.fromRecord(migrations) })

/** State in a SQLite file (WAL), migrated at startup. */
export const sqliteState = (filename: string) =>
  SqlState.pipe(
    Layer.provide(Layer.effectDiscard(runMigrations)),
    Layer.provideMerge(SqliteClient.layer({ filename })),
    // better-sqlite3 throws when the file cannot be opened: that is a typed failure, not a crash.
    Layer.catchAllCause((cause) => {
      const error = Cause.squash(cause)
      return Layer.fail(new StateError({
        operation: "open",
        message: `state database ${filename}: ${error instanceof Error ? error.message : String(error)}`
      }))
    })
  )

export const SqliteStateLive = Layer.unwrapEffect(
  Effect.gen(function*() {
    const filename = yield* StateDbConfig
    if (filename !== ":memory:") mkdirSync(dirname(filename), { recursive: true })
    return sqliteState(filename)
  })
)
