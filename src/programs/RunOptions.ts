import { Config } from "effect"
import { joinPath } from "../domain/Image.js"
import type { NearDuplicateSettings } from "../services/dedup/config.js"

export interface RunOptions {
  readonly correlationId: string
  readonly folder: string
  /** Where posted images go; null: they stay in the folder (`ARCHIVE_POSTED=false`). */
  readonly archiveFolder: string | null
  readonly select?: string | undefined
  /** Analyze, caption and write the sidecar; no publishing, archiving or state change. */
  readonly dryPublish: boolean
  /** No side effects at all: shows what would be posted. */
  readonly preview: boolean
  /**
   * The caption to post instead of the generated one, as given (an admin's edit; publisher_v2's
   * caption override): no hashtags are added, and the sidecar records it.
   */
  readonly caption?: string | undefined
  /** With `select`: post again even where an earlier run already did. */
  readonly force?: boolean | undefined
  /** Runs that may try an unfinished image before it is left for `publisher retry`. */
  readonly maxAttempts: number
  /** Near-duplicate skipping; absent: NEAR_DUPLICATE_DISTANCE / NEAR_DUPLICATE_MAX_SKIPS. */
  readonly nearDuplicate?: NearDuplicateSettings | undefined
}

/**
 * `IMAGE_FOLDER` (required), `ARCHIVE_FOLDER` (default `archive`, inside the image folder),
 * `ARCHIVE_POSTED` (default true; false leaves posted images where they are, as publisher_v2's
 * `archive = false`), `PUBLISH_MAX_ATTEMPTS` (default 3).
 */
export const FolderConfig = Config.all({
  folder: Config.string("IMAGE_FOLDER").pipe(Config.validate({
    message: "must not be empty",
    validation: (s) => s.trim() !== ""
  })),
  archive: Config.string("ARCHIVE_FOLDER").pipe(Config.withDefault("archive")),
  archivePosted: Config.boolean("ARCHIVE_POSTED").pipe(Config.withDefault(true)),
  maxAttempts: Config.integer("PUBLISH_MAX_ATTEMPTS").pipe(
    Config.validate({ message: "must be at least 1", validation: (n) => n >= 1 }),
    Config.withDefault(3)
  )
}).pipe(Config.map(({ archive, archivePosted, folder, maxAttempts }) => {
  const archiveLocation = archive.startsWith("/") ? archive : joinPath(folder, archive)
  return {
    folder,
    /** Where runs move posted images; null when they stay (ARCHIVE_POSTED=false). */
    archiveFolder: archivePosted ? archiveLocation : null,
    /** The archive folder, whether or not runs move images there (`dedup scan` reads it). */
    archiveLocation,
    maxAttempts
  }
}))
