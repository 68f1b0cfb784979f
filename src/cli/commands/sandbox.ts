import { Command, Options } from "@effect/cli"
import { Console, Effect, Layer } from "effect"
import { randomBytes } from "node:crypto"
import { UsageError } from "../../domain/Errors.js"
import { publishOne } from "../../programs/publishOne.js"
import { FolderConfig } from "../../programs/RunOptions.js"
import { callsSince, sandboxConfigProvider, startSandbox } from "../../sandbox/sandbox.js"
import { withCorrelationId } from "../correlation.js"
import { RunFailed } from "../failure.js"
import { appLayer } from "../layers.js"
import { describeRun, runJson } from "../output.js"
import { serveScoped } from "./serve.js"

const images = Options.integer("images").pipe(
  Options.withDescription("How many sample photos to generate"),
  Options.withDefault(8)
)
const runs = Options.integer("runs").pipe(
  Options.withDescription("How many runs of the workflow"),
  Options.withDefault(1)
)
const json = Options.boolean("json").pipe(Options.withDescription("One JSON object per run, with emulator_calls"))
const serve = Options.boolean("serve").pipe(
  Options.withDescription(
    "Also serve the admin API and page on the emulators until Ctrl-C (PORT; WEB_AUTH_TOKEN and web_admin_pw from the environment, else generated)"
  )
)

/**
 * The whole pipeline with no accounts: emulators on loopback, the real Live layers pointed at
 * them, K runs of the workflow.
 */
export const sandboxCommand = Command.make("sandbox", { images, runs, json, serve }, (args) =>
  Effect.gen(function*() {
    if (args.images < 0 || args.runs < 1) {
      return yield* new UsageError({ message: "--images must be at least 0 and --runs at least 1" })
    }
    const sandbox = yield* startSandbox({ images: args.images })
    if (args.serve) {
      const env = (name: string) =>
        process.env[name] !== undefined && process.env[name] !== "" ? process.env[name]! : undefined
      const token = env("WEB_AUTH_TOKEN") ?? randomBytes(18).toString("base64url")
      const password = env("web_admin_pw") ?? randomBytes(12).toString("base64url")
      const config = sandbox.config as Map<string, string>
      config.set("WEB_AUTH_TOKEN", token)
      config.set("web_admin_pw", password)
      config.set("WEB_SECURE_COOKIES", env("WEB_SECURE_COOKIES") ?? "false")
      // The address is printed once the server listens, with the port it really got (PORT=0: any free one).
      const address = yield* serveScoped.pipe(Effect.provide(Layer.setConfigProvider(sandboxConfigProvider(sandbox))))
      const host = address._tag === "TcpAddress"
        ? `${address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname}:${address.port}`
        : address.path
      yield* Console.log(`Admin page: http://${host}/  (API docs: /docs)`)
      yield* Console.log(`Admin password (web_admin_pw): ${password}`)
      yield* Console.log(`API token (WEB_AUTH_TOKEN, for scripts): ${token}`)
      yield* Console.log("Press Ctrl-C to stop.")
      return yield* Effect.never
    }
    if (!args.json) {
      yield* Console.log(
        `Sandbox: ${args.images} sample photos in ${sandbox.folder}; emulators on ${sandbox.dropbox.url}, ${sandbox.openai.url}, ${sandbox.telegram.url}`
      )
    }
    let failures = 0
    yield* Effect.gen(function*() {
      const folders = yield* FolderConfig
      for (let run = 1; run <= args.runs; run++) {
        const before = sandbox.calls()
        const result = yield* withCorrelationId((correlationId) =>
          publishOne({ correlationId, ...folders, dryPublish: false, preview: false })
        )
        if (!result.ok) failures++
        yield* Console.log(
          args.json
            ? runJson(result, { run, emulator_calls: callsSince(before, sandbox.calls()) })
            : `\nRun ${run}: ${describeRun(result)}`
        )
      }
    }).pipe(
      Effect.provide(appLayer({ publish: true })),
      Effect.provide(Layer.setConfigProvider(sandboxConfigProvider(sandbox)))
    )
    if (failures > 0) return yield* new RunFailed({ message: `${failures} run(s) failed` })
  }).pipe(Effect.scoped)).pipe(
    Command.withDescription("Run the whole pipeline against local emulators (no accounts needed)")
  )
