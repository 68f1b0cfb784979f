#!/usr/bin/env node
import { Command, Options } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer, Option } from "effect"
import { LoggingLive } from "../services/logging/Logging.js"
import { TelemetryLive } from "../services/telemetry/Telemetry.js"
import { checkCommand } from "./commands/check.js"
import { configCommand } from "./commands/config.js"
import { dedupCommand } from "./commands/dedup.js"
import { retryCommand } from "./commands/retry.js"
import { runCommand } from "./commands/run.js"
import { sandboxCommand } from "./commands/sandbox.js"
import { scheduleCommand } from "./commands/schedule.js"
import { serveCommand } from "./commands/serve.js"
import { stateCommand } from "./commands/state.js"
import { statsCommand } from "./commands/stats.js"
import { envConfigLayer, globalOptionsFromArgs, optionsTakingValues } from "./envFile.js"
import { explainFailure } from "./failure.js"
import { legacyConfigLayer } from "./legacyConfig.js"
import { VERSION } from "./version.js"

const configFile = Options.file("config").pipe(
  Options.withDescription("publisher_v2's INI file (also CONFIG_PATH); our variables, set by name, win over it"),
  Options.optional
)

const envFile = Options.file("env").pipe(
  Options.withDescription(
    "An env file read instead of ./.env (also ENV_PATH), as publisher_v2's --env; the environment wins over it"
  ),
  Options.optional
)

/**
 * `--config FILE` and `--env FILE` go anywhere, before or after the command (not after `--`,
 * not as another option's value): they are taken out of the arguments here (src/cli/envFile.ts)
 * and given to the layers, as the env file is read before any command. The options stay declared
 * below for `--help`, and for `@effect/cli` to report one given without a value.
 */
const publisher = Command.make("publisher", { config: configFile, env: envFile }).pipe(
  Command.withDescription("Turns a folder of photos into social media posts"),
  Command.withSubcommands([
    runCommand,
    retryCommand,
    serveCommand,
    sandboxCommand,
    stateCommand,
    statsCommand,
    dedupCommand,
    configCommand,
    checkCommand,
    scheduleCommand
  ]),
  // publisher_v2's configuration, below our variables, for every command.
  Command.provide(({ config, env }) =>
    legacyConfigLayer(
      Option.orElse(config, () => Option.fromNullable(globals.config)),
      Option.orElse(env, () => Option.fromNullable(globals.env))
    )
  )
)

const valueOptions = optionsTakingValues(publisher)
const globals = globalOptionsFromArgs(process.argv.slice(2), (option) => valueOptions.has(option))

const cli = Command.run(publisher, { name: "publisher", version: VERSION })

/**
 * Environment variables first, then the env file (`--env FILE`, else `ENV_PATH`, else `.env` in
 * the working directory) when present; the environment wins for every variable (src/cli/envFile.ts).
 */
const ConfigLive = envConfigLayer(globals.env ?? (process.env["ENV_PATH"]?.trim() || ".env"))

const ANSI = /\u001b\[[0-9;]*m/g
const helpAsked = globals.args.some((a) => a === "--help" || a === "-h")

/**
 * What @effect/cli prints (help, usage errors), fit for where it goes: no colour codes into a pipe
 * or file, and help's usage lines name the program (`$ publisher run`, not `$ run`).
 */
const tidy = (tty: boolean | undefined) => (arg: unknown): unknown => {
  if (typeof arg !== "string") return arg
  const plain = tty === true ? arg : arg.replace(ANSI, "")
  return helpAsked ? plain.replace(/^\$ (?!publisher\b)/gm, "$ publisher ") : plain
}
const tidyConsole = (base: Console.Console): Console.Console => ({
  ...base,
  log: (...args: ReadonlyArray<unknown>) => base.log(...args.map(tidy(process.stdout.isTTY))),
  error: (...args: ReadonlyArray<unknown>) => base.error(...args.map(tidy(process.stderr.isTTY)))
})

const main = Console.consoleWith((base) =>
  Console.withConsole(Effect.suspend(() => cli([...process.argv.slice(0, 2), ...globals.args])), tidyConsole(base))
).pipe(
  Effect.provide(
    Layer.mergeAll(LoggingLive, TelemetryLive).pipe(
      Layer.provideMerge(ConfigLive),
      Layer.provideMerge(NodeContext.layer)
    )
  ),
  // Outside the layers: a bad LOG_LEVEL or OTEL_* setting is explained too, not only the command's failures.
  Effect.tapErrorCause((cause) =>
    Effect.sync(() => {
      for (const line of explainFailure(cause).lines) process.stderr.write(line + "\n")
    })
  )
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => onExit(exit._tag === "Success" ? 0 : explainFailure(exit.cause).code)
})
