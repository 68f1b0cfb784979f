import { Config } from "effect"
import { joinPath } from "../domain/Image.js"

export interface RunOptions {
  readonly correlationId: string
  readonly folder: string
  readonly archiveFolder: string
  readonly select?: string | undefined
  /** Analyze, caption and write the sidecar; no publishing, archiving or state change. */
  readonly dryPublish: boolean
  /** No side effects at all: shows what would be posted. */
  readonly preview: boolean
}

/** `IMAGE_FOLDER` (required) and `ARCHIVE_FOLDER` (default `archive`, inside the image folder). */
export const FolderConfig = Config.all({
  folder: Config.string("IMAGE_FOLDER").pipe(Config.validate({
    message: "must not be empty",
    validation: (s) => s.trim() !== ""
  })),
  archive: Config.string("ARCHIVE_FOLDER").pipe(Config.withDefault("archive"))
}).pipe(Config.map(({ archive, folder }) => ({
  folder,
  archiveFolder: archive.startsWith("/") ? archive : joinPath(folder, archive)
})))
