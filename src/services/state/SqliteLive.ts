import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect, Layer } from "effect"
import { existsSync, mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { StateError } from "../../domain/Errors.js"
import { describeError, sqlStateOver } from "./SqlState.js"
import type { State } from "./State.js"

export { StateDbConfig } from "./config.js"

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
      catch: (e) =>
        new StateError({
          operation: "open",
          message: `state database ${filename}: cannot create its folder (${describeError(e)})`
        })
    })

/**
 * State in the SQLite file `filename` (`:memory:` for a private in-memory database), WAL mode,
 * its folder created and its schema migrated at startup. A file that cannot be opened is a
 * StateError (operation "open"), not a crash.
 */
export const makeSqliteState = (filename: string): Layer.Layer<State, StateError> =>
  sqlStateOver(
    filename,
    SqliteClient.layer({ filename }).pipe( // WAL unless `disableWAL`
      Layer.provide(Layer.effectDiscard(createDirectory(filename)))
    )
  )

/** A fresh, private in-memory database per build: for tests. */
export const SqliteStateMemory: Layer.Layer<State, StateError> = makeSqliteState(":memory:")
