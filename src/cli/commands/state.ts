import { Args, Command } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Effect } from "effect"
import { UsageError } from "../../domain/Errors.js"
import { parsePostedJson } from "../../domain/PostedJson.js"
import { State } from "../../services/state/State.js"
import { StateLive } from "../../services/state/StateLive.js"

const file = Args.file({ name: "FILE", exists: "yes" }).pipe(Args.withDescription("publisher_v2's posted.json"))

const importCommand = Command.make("import", { file }, ({ file }) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(file).pipe(
      Effect.mapError((e) => new UsageError({ message: `cannot read ${file}: ${e.message}` }))
    )
    const hashes = yield* parsePostedJson(text)
    const state = yield* State
    const result = yield* state.importPosted({ ...hashes, source: `import:${file}` })
    yield* Console.log(`Imported ${file}: ${result.added} new of ${result.total} hashes`)
  }).pipe(Effect.provide(StateLive))
).pipe(Command.withDescription("Import publisher_v2's posted.json (idempotent)"))

export const stateCommand = Command.make("state").pipe(
  Command.withDescription("The posted-images database"),
  Command.withSubcommands([importCommand])
)
