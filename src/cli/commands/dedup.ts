import { Args, Command } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Effect, Either } from "effect"
import { UsageError } from "../../domain/Errors.js"
import { ImageHasher, ImageHasherLive } from "../../services/phash/ImageHasher.js"
import { RunFailed } from "../failure.js"

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
  }).pipe(Effect.provide(ImageHasherLive))
).pipe(Command.withDescription("Print imagehash-compatible perceptual hashes (pHash, 64 bits) of image files"))

export const dedupCommand = Command.make("dedup").pipe(
  Command.withDescription("Near-duplicate photos: perceptual hashes"),
  Command.withSubcommands([hashCommand])
)
