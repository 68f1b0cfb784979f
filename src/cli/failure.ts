import { ValidationError } from "@effect/cli"
import { Cause, ConfigError, Data, Exit, Option } from "effect"

export const EXIT_OK = 0
export const EXIT_FAILED = 1
export const EXIT_USAGE = 2
/** Another run holds the publishing lease: nothing was done, try again later (sysexits' EX_TEMPFAIL). */
export const EXIT_BUSY = 75

/** Each leaf of a ConfigError tree as one readable line. */
export const describeConfigError = (error: ConfigError.ConfigError): ReadonlyArray<string> =>
  ConfigError.reduceWithContext<undefined, ReadonlyArray<string>>(error, undefined, {
    andCase: (_, left, right) => [...left, ...right],
    orCase: (_, left, right) => [...left, ...right],
    missingDataCase: (_, path) => [`missing configuration variable ${path.join("_")}`],
    invalidDataCase: (_, path, message) => [`invalid configuration variable ${path.join("_")}: ${message}`],
    sourceUnavailableCase: (_, path, message) => [`configuration unavailable (${path.join("_")}): ${message}`],
    unsupportedCase: (_, path, message) => [`unsupported configuration (${path.join("_")}): ${message}`]
  }).filter((line, index, all) => all.indexOf(line) === index)

const tagOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : undefined

const messageOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : String(error)

/**
 * What the user sees for a failed command: one readable line (no stack, no parse tree) and the
 * exit code: 2 for bad usage or configuration, 75 when another run is publishing, 1 for a run that failed.
 */
export const explainFailure = (
  cause: Cause.Cause<unknown>
): { readonly code: number; readonly lines: ReadonlyArray<string> } => {
  const failure = Cause.failureOption(cause)
  if (Option.isNone(failure)) {
    if (Cause.isInterruptedOnly(cause)) return { code: 130, lines: ["interrupted"] }
    const defect = Cause.squash(cause)
    return { code: EXIT_FAILED, lines: [`unexpected error: ${messageOf(defect)}`] }
  }
  const error = failure.value
  if (ConfigError.isConfigError(error)) {
    return {
      code: EXIT_USAGE,
      lines: describeConfigError(error).map((l) => `error: ${l}`)
    }
  }
  if (ValidationError.isValidationError(error)) return { code: EXIT_USAGE, lines: [] } // @effect/cli printed it
  switch (tagOf(error)) {
    case "RunFailed":
      return { code: EXIT_FAILED, lines: [] }
    case "PublishingBusy":
      return { code: EXIT_BUSY, lines: [`error: ${messageOf(error)}`] }
    case "UsageError":
    case "ConfigurationError":
    case "OidcError":
    case "PostedJsonError":
      // One line per problem: a configuration may have several.
      return { code: EXIT_USAGE, lines: messageOf(error).split("\n").map((line) => `error: ${line}`) }
    default:
      return { code: EXIT_FAILED, lines: [`error: ${tagOf(error) ?? "failure"}: ${messageOf(error)}`] }
  }
}

export const exitCodeOf = (exit: Exit.Exit<unknown, unknown>): number =>
  Exit.isSuccess(exit) ? EXIT_OK : explainFailure(exit.cause).code

/** The run was reported already; only the exit code is left to set. */
export class RunFailed extends Data.TaggedError("RunFailed")<{ readonly message: string }> {}
