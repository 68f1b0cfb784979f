/**
 * The env file named before the command (`publisher --env FILE COMMAND`, or `--env=FILE`), read
 * from the raw arguments so that what is read before the command runs (logging, telemetry) sees it
 * too; `@effect/cli` parses the same option for the rest. Stops at the command's name.
 */
export const envFileFromArgs = (args: ReadonlyArray<string>): string | undefined => {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--env") return args[i + 1]
    if (arg.startsWith("--env=")) return arg.slice("--env=".length)
    if (arg === "--config") {
      i++
      continue
    }
    if (!arg.startsWith("-")) return undefined
  }
  return undefined
}
