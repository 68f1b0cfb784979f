import { type ConfigError, Effect, Layer, Option } from "effect"
import type { StateError } from "../../domain/Errors.js"
import { StateDbConfig } from "./config.js"
import { DatabaseUrlConfig, makePgState } from "./PgLive.js"
import { makeSqliteState } from "./SqliteLive.js"
import type { State } from "./State.js"

/** The process's State: PostgreSQL when `DATABASE_URL` is set, else the SQLite file of `PUBLISHER_STATE_DB`. */
export const StateLive: Layer.Layer<State, StateError | ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.gen(function*() {
    const pg = yield* DatabaseUrlConfig
    return Option.isSome(pg) ? makePgState(pg.value.url, pg.value.label) : makeSqliteState(yield* StateDbConfig)
  })
)
