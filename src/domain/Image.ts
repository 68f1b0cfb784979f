import { Schema } from "effect"

/** One image file as listed by Storage: metadata only, never the bytes. */
export class ImageRef extends Schema.Class<ImageRef>("ImageRef")({
  name: Schema.String,
  path: Schema.String,
  id: Schema.String,
  rev: Schema.String,
  size: Schema.Number,
  /** Dropbox content_hash (block SHA-256), also computed for local folders. */
  contentHash: Schema.String,
  serverModified: Schema.optional(Schema.String),
  /** The listing showed a sidecar beside it: only then is it read (no probe per run). */
  hasSidecar: Schema.optionalWith(Schema.Boolean, { default: () => false })
}) {}

export const IMAGE_EXTENSIONS: ReadonlyArray<string> = [".jpg", ".jpeg", ".png", ".webp"]

/** True when the file name has an image extension we publish (case-insensitive). */
export const isImageName = (name: string): boolean => {
  const lower = name.toLowerCase()
  return IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext))
}

/** `folder/photo.jpg` -> `folder/photo.txt`: the sidecar lives beside its image. */
export const sidecarPathOf = (imagePath: string): string => {
  const dot = imagePath.lastIndexOf(".")
  const slash = imagePath.lastIndexOf("/")
  return (dot > slash ? imagePath.slice(0, dot) : imagePath) + ".txt"
}

/** Lower-cased sidecar paths of a listing, to tell which images have one. */
export const sidecarSet = (paths: Iterable<string>): ReadonlySet<string> => {
  const out = new Set<string>()
  for (const p of paths) if (p.toLowerCase().endsWith(".txt")) out.add(p.toLowerCase())
  return out
}

export const baseName = (path: string): string => path.slice(path.lastIndexOf("/") + 1)

/** Joins Dropbox-style paths: `joinPath("/photos", "archive")` -> `/photos/archive`. */
export const joinPath = (folder: string, name: string): string =>
  folder === "" || folder === "/"
    ? `/${name.replace(/^\/+/, "")}`
    : `${folder.replace(/\/+$/, "")}/${name.replace(/^\/+/, "")}`
