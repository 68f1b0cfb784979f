/**
 * What the vision model is sent. Large photos cost tokens and upload time for nothing the model
 * can use (OpenAI scales every image to fit 2048x2048 and, at `detail: "low"`, looks at 512x512),
 * so an image larger than `maxDimension` on its long side is sent as a smaller JPEG; an image
 * upright (no EXIF rotation), small enough and in a format the API takes is sent as it is.
 */
export type VisionPlan =
  | { readonly _tag: "Original" }
  | { readonly _tag: "Resize"; readonly width: number; readonly height: number }

/** Formats the OpenAI vision API accepts as they are. */
const ACCEPTED = new Set(["jpeg", "png", "webp", "gif"])

export const planVisionImage = (
  source: {
    readonly format: string
    readonly width: number
    readonly height: number
    readonly orientation?: number | undefined
  },
  /** The long side's limit in pixels; 0 sends every image as it is. */
  maxDimension: number
): VisionPlan => {
  // EXIF orientations 5 to 8 swap the sides once the image is turned upright.
  const turned = (source.orientation ?? 1) >= 5
  const width = turned ? source.height : source.width
  const height = turned ? source.width : source.height
  if (maxDimension === 0) return { _tag: "Original" }
  // Turned or in another format (TIFF, HEIF, ...): re-encoded even when small enough.
  const asItIs = (source.orientation ?? 1) === 1 && ACCEPTED.has(source.format)
  const long = Math.max(width, height)
  if (long <= maxDimension) return asItIs ? { _tag: "Original" } : { _tag: "Resize", width, height }
  const scale = maxDimension / long
  return {
    _tag: "Resize",
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale))
  }
}
