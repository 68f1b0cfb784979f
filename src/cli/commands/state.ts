import { Args, Command } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Effect, Option } from "effect"
import { UsageError } from "../../domain/Errors.js"
import { parsePostedJson, renderPostedJson } from "../../domain/PostedJson.js"
import { makeSqliteState } from "../../services/state/SqliteLive.js"
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
  }).pipe(Effect.provide(StateLive))).pipe(Command.withDescription("Import publisher_v2's posted.json (idempotent)"))

const sqliteFile = Args.file({ name: "FILE", exists: "yes" }).pipe(
  Args.withDescription("A SQLite state file (an earlier PUBLISHER_STATE_DB)")
)

/**
 * `publisher state copy FILE`: adds the history of a SQLite state file to the current State
 * (PostgreSQL when DATABASE_URL is set), so moving to PostgreSQL keeps what was posted.
 * Idempotent: a second copy adds nothing.
 */
const copyCommand = Command.make("copy", { file: sqliteFile }, ({ file }) =>
  Effect.gen(function*() {
    const dump = yield* State.pipe(Effect.flatMap((source) => source.exportAll), Effect.provide(makeSqliteState(file)))
    const added = yield* (yield* State).importAll(dump)
    yield* Console.log(
      `Copied ${file}: ${added.posted_hashes} new of ${dump.postedHashes.length} posted hashes, ` +
        `${added.publications} new of ${dump.publications.length} platform outcomes, ` +
        `${added.image_hashes} new of ${dump.imageHashes.length} perceptual hashes, ` +
        `${added.near_duplicates} new of ${dump.nearDuplicates.length} near-duplicates, ` +
        `${added.unusable_images} new of ${dump.unusableImages.length} unusable files, ` +
        `${added.posted_captions} new of ${dump.postedCaptions.length} posted captions, ` +
        `${added.settings} new of ${dump.settings.length} settings`
    )
  }).pipe(Effect.provide(StateLive))).pipe(
    Command.withDescription("Copy a SQLite state file's history into the current State (e.g. PostgreSQL); idempotent")
  )

const target = Args.file({ name: "FILE" }).pipe(
  Args.withDescription("Where to write posted.json (standard output when absent or -)"),
  Args.optional
)

/**
 * `publisher state export [FILE]`: what was posted, as publisher_v2's posted.json, so going back
 * to publisher_v2 (or running both) never posts a photo again. The file is replaced atomically.
 */
const exportCommand = Command.make("export", { file: target }, ({ file }) =>
  Effect.gen(function*() {
    const dump = yield* (yield* State).exportAll
    const of = (kind: string) => dump.postedHashes.filter((h) => h.kind === kind).map((h) => h.hash)
    const text = renderPostedJson({ sha256s: of("sha256"), contentHashes: of("content_hash") })
    const path = Option.getOrUndefined(file)
    if (path === undefined || path === "-") return yield* Console.log(text)
    const fs = yield* FileSystem.FileSystem
    const temporary = `${path}.${process.pid}.tmp`
    yield* fs.writeFileString(temporary, text + "\n").pipe(
      Effect.zipRight(fs.rename(temporary, path)),
      Effect.tapError(() => fs.remove(temporary).pipe(Effect.ignore)),
      Effect.mapError((e) => new UsageError({ message: `cannot write ${path}: ${e.message}` }))
    )
    yield* Console.log(`Wrote ${path}: ${of("sha256").length} SHA-256 and ${of("content_hash").length} content hashes`)
  }).pipe(Effect.provide(StateLive))).pipe(
    Command.withDescription("Write what was posted as publisher_v2's posted.json (to FILE, or standard output)")
  )

export const stateCommand = Command.make("state").pipe(
  Command.withDescription("The posted-images database"),
  Command.withSubcommands([importCommand, exportCommand, copyCommand])
)
