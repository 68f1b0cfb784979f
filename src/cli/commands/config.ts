import { Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { LegacyConfig } from "../legacyConfig.js"

const json = Options.boolean("json").pipe(Options.withDescription("Print the report as one JSON object"))

/**
 * What publisher_v2's configuration (its JSON variables, its INI file) gives, variable by
 * variable with its origin, which of it our own variables override, and what is not used.
 */
export const configCommand = Command.make("config", { json }, (args) =>
  Effect.gen(function*() {
    const report = yield* LegacyConfig
    const variables = [...report.values].map(([name, setting]) => ({
      name,
      value: setting.value,
      from: setting.from,
      overridden: report.overridden.includes(name),
      wins_over_environment: report.winning.includes(name)
    }))
    if (args.json) {
      return yield* Console.log(
        JSON.stringify({
          config_file: report.configFile ?? null,
          sources: report.sources,
          variables,
          notes: report.notes
        })
      )
    }
    if (variables.length === 0 && report.notes.length === 0) {
      return yield* Console.log(`No publisher_v2 configuration found${
        report.configFile === undefined
          ? " (no --config file or CONFIG_PATH, no STORAGE_PATHS, PUBLISHERS, ... variables)"
          : ` in ${report.configFile}`
      }: only Publisher's own variables are read.`)
    }
    const lines = [`From publisher_v2's configuration (${report.sources.join(", ") || "nothing"}):`]
    const width = Math.max(
      ...variables.map((v) => v.name.length),
      0
    )
    for (const v of variables) {
      const note = v.overridden
        ? `  (unused: ${v.name} is set in the environment)`
        : v.wins_over_environment
        ? `  (used instead of ${v.name} in the environment, as publisher_v2 did)`
        : ""
      lines.push(`  ${v.name.padEnd(width)}  ${v.value}    <- ${v.from}${note}`)
    }
    if (report.notes.length > 0) lines.push("", "Notes:", ...report.notes.map((n) => `  - ${n}`))
    yield* Console.log(lines.join("\n"))
  })).pipe(
    Command.withDescription(
      "Show what publisher_v2's configuration (--config FILE.ini or CONFIG_PATH, STORAGE_PATHS, PUBLISHERS, ...) sets"
    )
  )
