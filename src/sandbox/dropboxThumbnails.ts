import sharp from "sharp"
import { nameOf, type StoredFile } from "./dropboxFiles.js"

/** How to render a thumbnail, as `files/get_thumbnail_batch` asks for it. */
export interface ThumbnailSpec {
  readonly format: "jpeg" | "png"
  readonly width: number
  readonly height: number
  readonly mode: "strict" | "bestfit" | "fitone_bestfit"
}

/** Extensions Dropbox renders thumbnails of, and its size limit for them. */
const THUMBNAIL_EXTENSIONS = new Set(["jpg", "jpeg", "png", "tiff", "tif", "gif", "webp", "ppm", "bmp"])
const THUMBNAIL_MAX_BYTES = 20 * 1024 * 1024

/**
 * A file's thumbnail, never enlarged: `strict` fits the box, `bestfit` the box or its transpose,
 * `fitone_bestfit` covers the box or its transpose. Otherwise Dropbox's reason for none.
 */
export const renderThumbnail = async (
  file: StoredFile,
  spec: ThumbnailSpec
): Promise<Buffer | "unsupported_extension" | "unsupported_image"> => {
  if (!THUMBNAIL_EXTENSIONS.has(nameOf(file.pathDisplay).split(".").pop()?.toLowerCase() ?? "")) {
    return "unsupported_extension"
  }
  if (file.size > THUMBNAIL_MAX_BYTES) return "unsupported_image"
  try {
    const image = sharp(file.bytes()).autoOrient()
    const { autoOrient } = await image.metadata()
    const transpose = spec.mode !== "strict" && (autoOrient.height > autoOrient.width) !== (spec.height > spec.width)
    const [width, height] = transpose ? [spec.height, spec.width] : [spec.width, spec.height]
    const resized = image.resize({
      width,
      height,
      fit: spec.mode === "fitone_bestfit" ? "outside" : "inside",
      withoutEnlargement: true
    })
    return await (spec.format === "png" ? resized.png() : resized.jpeg({ quality: 80 })).toBuffer()
  } catch {
    return "unsupported_image"
  }
}
