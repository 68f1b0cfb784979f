import { Args, Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Effect, Either, Option } from "effect"
import { UsageError } from "../../domain/Errors.js"
import { joinPath } from "../../domain/Image.js"
import { FolderConfig } from "../../programs/RunOptions.js"
import { moveDuplicates, scanLibrary } from "../../programs/scanLibrary.js"
import { NearDuplicateConfig } from "../../services/dedup/config.js"
import { ImageHasher, ImageHasherLive } from "../../services/phash/ImageHasher.js"
import { withCorrelationId } from "../correlation.js"
import { RunFailed } from "../failure.js"
import { dedupLayer } from "../layers.js"
import { describeScan, progressBar } from "../scanOutput.js"

const files = Args.file({ name: "FILE", exists: "yes" }).pipe(
  Args.withDescription("An image file (JPEG, PNG, WebP, TIFF, GIF, AVIF)"),
  Args.atLeast(1)
)

/**
 * `publisher dedup hash FILE...`: `<16 hex digits>  <file>` per file, in argument order, the
 * format of `sha256sum` and of the hashes imagehash users keep. Files that cannot be hashed are
 * named on stderr and make the exit code 1; the others are still printed.
 */
const hashCommand = Command.make("hash", { files }, ({ files }) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const hasher = yield* ImageHasher
    const results = yield* Effect.forEach(
      files,
      (file) =>
        fs.readFile(file).pipe(
          Effect.mapError((e) => new UsageError({ message: `cannot read ${file}: ${e.message}` })),
          Effect.flatMap((bytes) => hasher.hash(bytes, file)),
          Effect.either
        ),
      { concurrency: hasher.concurrency * 2 }
    )
    let failed = 0
    for (const [i, result] of results.entries()) {
      if (Either.isRight(result)) yield* Console.log(`${result.right.phash}  ${files[i]}`)
      else {
        failed++
        yield* Console.error(`error: ${result.left.message}`)
      }
    }
    if (failed > 0) return yield* new RunFailed({ message: `${failed} of ${files.length} files could not be hashed` })
  }).pipe(Effect.provide(ImageHasherLive))).pipe(
    Command.withDescription("Print imagehash-compatible perceptual hashes (pHash, 64 bits) of image files")
  )

const distance = Options.integer("distance").pipe(
  Options.withDescription(
    "Bits (of 64) at or below which two photos count as copies (default NEAR_DUPLICATE_DISTANCE, 8); 0: identical files only"
  ),
  Options.optional
)
const json = Options.boolean("json").pipe(Options.withDescription("Print the result as one JSON object"))
const moveTo = Options.text("move-to").pipe(
  Options.withDescription(
    "Move every file of each group but the first (the oldest) into this folder (relative: inside the image folder)"
  ),
  Options.optional
)

const archive = Options.boolean("no-archive", { negationNames: [] }).pipe(
  Options.withDescription("Leave ARCHIVE_FOLDER out (by default its images are hashed and count as posted)"),
  Options.map((skip) => !skip)
)

/**
 * `publisher dedup scan`: hashes the image folder (thumbnails first, cached in State), prints
 * groups of near-duplicate and identical files, optionally moves the copies away.
 */
const scanCommand = Command.make("scan", { distance, json, moveTo, archive }, (args) =>
  Effect.gen(function*() {
    const folders = yield* FolderConfig
    const configured = yield* NearDuplicateConfig
    const bits = Option.getOrElse(args.distance, () => (configured.distance > 0 ? configured.distance : 8))
    if (bits < 0 || bits > 32) {
      return yield* new UsageError({ message: `--distance must be between 0 and 32 (got ${bits})` })
    }
    const tty = process.stderr.isTTY === true && !args.json
    const scan = yield* withCorrelationId((correlationId) =>
      scanLibrary({
        folder: folders.folder,
        archiveFolder: args.archive ? folders.archiveLocation : undefined,
        distance: bits,
        onProgress: tty
          ? (done, total) => Effect.sync(() => void process.stderr.write(progressBar(done, total)))
          : undefined
      }).pipe(Effect.withSpan("cli.dedup_scan", { attributes: { correlation_id: correlationId, distance: bits } }))
    )
    const moved = Option.isSome(args.moveTo)
      ? yield* moveDuplicates(
        scan.clusters,
        args.moveTo.value.startsWith("/") ? args.moveTo.value : joinPath(folders.folder, args.moveTo.value)
      )
      : []
    yield* Console.log(args.json ? JSON.stringify({ ...scan, moved }) : describeScan(scan, moved))
    if (scan.failed.length > 0) {
      return yield* new RunFailed({ message: `${scan.failed.length} images could not be hashed` })
    }
  }).pipe(Effect.provide(dedupLayer))).pipe(
    Command.withDescription("Find near-duplicate and identical photos in the image folder")
  )

export const dedupCommand = Command.make("dedup").pipe(
  Command.withDescription("Near-duplicate photos: perceptual hashes, library scan"),
  Command.withSubcommands([hashCommand, scanCommand])
)
