import { existsSync, mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { Migrator } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Cause, Effect, Layer } from "effect"
import { StateError } from "../../domain/Errors.js"
import { StateDbConfig } from "./config.js"
import { migrations } from "./migrations.js"
import { SqlState } from "./SqlState.js"
import type { State } from "./State.js"

export { StateDbConfig } from "./config.js"

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** Applies the migrations not yet recorded in `effect_sql_migrations` (none on a current file). */
const Migrations = (filename: string) =>
  Layer.effectDiscard(
    Migrator.make({})({ loader: Migrator.fromRecord(migrations) }).pipe(
      Effect.mapError((e) => new StateError({ operation: "migrate", message: `state database ${filename}: ${e.message}` })),
      Effect.withSpan("state.migrate", { attributes: { filename } })
    )
  )

/**
 * `mkdir -p`, one level at a time: Node 20's `mkdir(..., { recursive: true })` loops forever on
 * some failures (a path under /proc), where this throws.
 */
const makeDirectories = (dir: string): void => {
  if (existsSync(dir)) return
  const parent = dirname(dir)
  if (parent !== dir) makeDirectories(parent)
  try {
    mkdirSync(dir)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e
  }
}

const createDirectory = (filename: string) =>
  filename === ":memory:" || filename === ""
    ? Effect.void
    : Effect.try({
      try: () => makeDirectories(dirname(filename)),
      catch: (e) => new StateError({ operation: "open", message: `state database ${filename}: cannot create its folder (${describe(e)})` })
    })

/**
 * State in the SQLite file `filename` (`:memory:` for a private in-memory database), WAL mode,
 * its folder created and its schema migrated at startup. A file that cannot be opened is a
 * StateError (operation "open"), not a crash.
 */
export const makeSqliteState = (filename: string): Layer.Layer<State, StateError> =>
  SqlState.pipe(
    Layer.provide(Migrations(filename)),
    Layer.provide(SqliteClient.layer({ filename })), // WAL unless `disableWAL`
    Layer.provide(Layer.effectDiscard(createDirectory(filename))),
    Layer.catchAllCause((cause) => {
      if (Cause.isInterruptedOnly(cause)) return Layer.failCause(cause as Cause.Cause<never>)
      const error = Cause.squash(cause)
      return Layer.fail(
        error instanceof StateError ? error : new StateError({ operation: "open", message: `state database ${filename}: ${describe(error)}` })
      )
    })
  )

/** A fresh, private in-memory database per build: for tests. */
export const SqliteStateMemory: Layer.Layer<State, StateError> = makeSqliteState(":memory:")

/** The process's State: the SQLite file named by `PUBLISHER_STATE_DB` (see {@link StateDbConfig}). */
export const SqliteStateLive = Layer.unwrapEffect(Effect.map(StateDbConfig, makeSqliteState))
