import { Context, type Effect, type Option } from "effect"
import type { StorageError } from "../../domain/Errors.js"
import type { ImageRef } from "../../domain/Image.js"

/** Where the photos live: a Dropbox folder or a local directory. Paths are as `listImages` returns them. */
/** Dropbox's thumbnail boxes (fit inside, aspect ratio kept). */
export const THUMBNAIL_SIZES = {
  w256h256: [256, 256],
  w480h320: [480, 320],
  w640h480: [640, 480],
  w960h640: [960, 640],
  w1024h768: [1024, 768]
} as const
export type ThumbnailSize = keyof typeof THUMBNAIL_SIZES

export interface ThumbnailOptions {
  readonly size?: ThumbnailSize
  readonly format?: "png" | "jpeg"
}

export class Storage extends Context.Tag("publisher/Storage")<Storage, {
  /** Every image of the folder (all pages), metadata only. Not recursive. */
  readonly listImages: (folder: string) => Effect.Effect<ReadonlyArray<ImageRef>, StorageError>
  /** The bytes of one file. */
  readonly download: (path: string) => Effect.Effect<Uint8Array, StorageError>
  /**
   * Small renderings of the given image files (by default within 256x256 px, aspect ratio kept,
   * PNG), keyed by the path as given. A path missing from the map has no thumbnail (not found,
   * too large, unsupported format): the caller downloads the file instead.
   */
  readonly thumbnails: (
    paths: ReadonlyArray<string>,
    options?: ThumbnailOptions
  ) => Effect.Effect<ReadonlyMap<string, Uint8Array>, StorageError>
  /** A short-lived public URL of the file (what Instagram fetches). */
  readonly temporaryLink: (path: string) => Effect.Effect<string, StorageError>
  /** The sidecar text of an image; `None` when it has none. */
  readonly readSidecar: (imagePath: string) => Effect.Effect<Option.Option<string>, StorageError>
  /** Writes (overwrites) the sidecar of an image, whole or not at all. */
  readonly writeSidecar: (imagePath: string, text: string) => Effect.Effect<void, StorageError>
  /** Writes (overwrites) any file; used for prepared copies. */
  readonly upload: (path: string, bytes: Uint8Array) => Effect.Effect<void, StorageError>
  /** Deletes a file; a missing file is not an error. */
  readonly remove: (path: string) => Effect.Effect<void, StorageError>
  /**
   * Moves an image and its sidecar (when present) into `toFolder`, in one batch where the
   * backend allows. Returns the image's new path.
   *
   * Safe to repeat (a retry after an answer was lost, a rerun after a crash): given the image's
   * `contentHash`, a move whose source is gone while the destination holds that content is a
   * success, and a sidecar left behind is moved after it.
   */
  readonly moveWithSidecar: (
    imagePath: string,
    toFolder: string,
    expected?: { readonly contentHash: string }
  ) => Effect.Effect<string, StorageError>
}>() {}
