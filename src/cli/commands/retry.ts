import { Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { retryUnfinished } from "../../programs/retry.js"
import { FolderConfig } from "../../programs/RunOptions.js"
import { waitingImages } from "../../programs/waiting.js"
import { Storage } from "../../services/storage/Storage.js"
import { withCorrelationId } from "../correlation.js"
import { RunFailed } from "../failure.js"
import { appLayer } from "../layers.js"

const image = Options.text("image").pipe(Options.withDescription("Only this image (file name)"), Options.optional)
const force = Options.boolean("force").pipe(
  Options.withDescription("Also retry platforms whose earlier outcome is uncertain (check them first)")
)
const json = Options.boolean("json").pipe(Options.withDescription("One JSON object per image"))

const listImages = (folder: string) => Effect.flatMap(Storage, (storage) => storage.listImages(folder))

export const retryCommand = Command.make("retry", { image, force, json }, (args) =>
  Effect.gen(function*() {
    const folders = yield* FolderConfig
    const results = yield* withCorrelationId((correlationId) =>
      retryUnfinished({
        correlationId,
        ...folders,
        image: args.image._tag === "Some" ? args.image.value : undefined,
        force: args.force
      }).pipe(
        Effect.flatMap((results) =>
          // Nothing a retry may do on its own: what waits for a person, and how to resolve each.
          (results.length === 0 ? listImages(folders.folder).pipe(Effect.flatMap(waitingImages)) : Effect.succeed([]))
            .pipe(
              Effect.map((waiting) => ({ correlationId, results, waiting }))
            )
        ),
        Effect.provide(appLayer({ publish: true })),
        Effect.withSpan("cli.retry", { attributes: { correlation_id: correlationId } })
      )
    )
    if (results.results.length === 0) {
      const waiting = results.waiting
      const lines = waiting.map((w) => `  ${w.image.name}: ${w.advice}`)
      const message = waiting.length === 0
        ? "Nothing to retry: no image is unfinished or waiting for a check"
        : `Nothing to retry without you: ${
          waiting.length === 1 ? "1 image waits" : `${waiting.length} images wait`
        } for a check`
      yield* Console.log(
        args.json
          ? JSON.stringify({
            correlation_id: results.correlationId,
            message,
            retried: [],
            waiting: waiting.map((w) => ({ image: w.image.name, uncertain: w.platforms, command: w.command }))
          })
          : [message, ...lines].join("\n")
      )
    }
    for (const r of results.results) {
      yield* Console.log(
        args.json
          ? JSON.stringify({ correlation_id: results.correlationId, ...r })
          : [
            `${r.image}: ${r.archived ? "archived" : "not archived"}`,
            ...Object.entries(r.published).map(([p, o]) => `  ${p}: ${o.status}${o.error ? `: ${o.error}` : ""}`)
          ].join("\n")
      )
    }
    if (results.results.some((r) => !r.archived)) {
      return yield* new RunFailed({ message: "some platforms still failed" })
    }
  })).pipe(Command.withDescription("Publish unfinished images to the platforms they are missing, then archive them"))
