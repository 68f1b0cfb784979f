import { PgClient } from "@effect/sql-pg"
import { Config, ConfigError, Either, type Layer, Option, Redacted } from "effect"
import type { StateError } from "../../domain/Errors.js"
import { sqlStateOver } from "./SqlState.js"
import type { State } from "./State.js"

/** A PostgreSQL URL without its password, for messages and spans. */
export const describePgUrl = (url: URL): string =>
  `${url.protocol}//${url.username === "" ? "" : `${url.username}@`}${url.host}${url.pathname}`

/**
 * `DATABASE_URL`: `postgres://user:password@host:5432/database` (or `postgresql://`), redacted.
 * Unset or blank: no PostgreSQL (SQLite at PUBLISHER_STATE_DB).
 */
export const DatabaseUrlConfig: Config.Config<
  Option.Option<{ readonly url: Redacted.Redacted<string>; readonly label: string }>
> = Config.option(
  Config.redacted("DATABASE_URL")
).pipe(
  Config.mapOrFail((value) => {
    if (Option.isNone(value) || Redacted.value(value.value).trim() === "") return Either.right(Option.none())
    const text = Redacted.value(value.value).trim()
    const url = URL.canParse(text) ? new URL(text) : undefined
    if (url === undefined || (url.protocol !== "postgres:" && url.protocol !== "postgresql:") || url.hostname === "") {
      return Either.left(
        ConfigError.InvalidData(
          ["DATABASE_URL"],
          "must be a PostgreSQL URL: postgres://user:password@host:5432/database"
        )
      )
    }
    return Either.right(Option.some({ url: Redacted.make(text), label: describePgUrl(url) }))
  })
)

/** State in PostgreSQL at `url` (the same SQL and migrations as SQLite), a small pool. */
export const makePgState = (url: Redacted.Redacted<string>, label: string): Layer.Layer<State, StateError> =>
  sqlStateOver(label, PgClient.layer({ url, maxConnections: 5, connectTimeout: "10 seconds" }))
