import {
  Cause,
  Config,
  ConfigError,
  Effect,
  Either,
  HashMap,
  Inspectable,
  Layer,
  List,
  Logger,
  LogLevel,
  Option
} from "effect"

/**
 * One JSON object per line, annotations (correlation_id, the `*_ms` timings, ...) at the top
 * level, as publisher_v2's `log_json` wrote them, so log tools read them without unnesting.
 */
export const jsonLineLogger = Logger.make(({ annotations, cause, date, logLevel, message, spans }) => {
  const line: Record<string, unknown> = {
    timestamp: date.toISOString(),
    level: logLevel.label,
    message: messageText(message)
  }
  for (const [key, value] of HashMap.toEntries(annotations)) line[key] = value
  if (!Cause.isEmpty(cause)) line["error"] = Cause.pretty(cause, { renderErrorCause: false })
  const now = date.getTime()
  for (const span of List.toArray(spans)) line[`${span.label}_ms`] ??= now - span.startTime
  return JSON.stringify(line, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))
})

const messageText = (message: unknown): string => {
  const parts = Array.isArray(message) ? message : [message]
  return parts.map((p) => (typeof p === "string" ? p : Inspectable.format(p))).join(" ")
}

/** Logs go to stderr: stdout carries the command's own output (`--json` results). */
const toStderr = <M>(logger: Logger.Logger<M, string>) =>
  Logger.map(logger, (line) => {
    process.stderr.write(line + "\n")
  })

/** Level names, any case: Effect's (`WARN`, `OFF`, ...) and the spelled-out ones (`Warning`, `None`). */
const LEVELS: Readonly<Record<string, LogLevel.LogLevel>> = {
  all: LogLevel.All,
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  warning: LogLevel.Warning,
  error: LogLevel.Error,
  fatal: LogLevel.Fatal,
  off: LogLevel.None,
  none: LogLevel.None
}

export const LogConfig = Config.all({
  format: Config.literal("json", "pretty")("LOG_FORMAT").pipe(Config.option),
  level: Config.string("LOG_LEVEL").pipe(
    Config.mapOrFail((value) => {
      const level = LEVELS[value.trim().toLowerCase()]
      return level === undefined
        ? Either.left(
          ConfigError.InvalidData(
            [],
            `must be one of All, Trace, Debug, Info, Warning, Error, Fatal, None (got ${JSON.stringify(value)})`
          )
        )
        : Either.right(level)
    }),
    Config.withDefault(LogLevel.Info)
  )
})

/**
 * `LOG_FORMAT=json|pretty` (default: json when stdout is not a terminal, i.e. whenever output
 * goes to a file, a pipe or a log collector), `LOG_LEVEL` (default Info). Both write to stderr.
 */
export const LoggingLive = Layer.unwrapEffect(
  Effect.gen(function*() {
    const config = yield* LogConfig
    const format = Option.getOrElse(config.format, () => (process.stdout.isTTY ? "pretty" : "json"))
    const logger = format === "json" ? toStderr(jsonLineLogger) : Logger.prettyLogger({ stderr: true })
    return Layer.merge(
      Logger.replace(Logger.defaultLogger, logger),
      Logger.minimumLogLevel(config.level)
    )
  })
)
