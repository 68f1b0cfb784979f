import { Effect } from "effect"
import sharp from "sharp"
import { AiError } from "../../domain/Errors.js"
import { planVisionImage } from "../../domain/VisionImage.js"
import type { ImageInput } from "./Ai.js"

export interface VisionImage {
  readonly bytes: Uint8Array
  readonly mimeType: string
  /** Re-encoded (smaller, turned upright or converted) rather than the original. */
  readonly prepared: boolean
}

/**
 * The image as the vision model gets it (src/domain/VisionImage.ts): the original, or a JPEG
 * turned upright and scaled to fit `maxDimension` (sharp, off the event loop).
 */
export const prepareVisionImage = (image: ImageInput, maxDimension: number): Effect.Effect<VisionImage, AiError> =>
  Effect.tryPromise({
    try: async (): Promise<VisionImage> => {
      if (maxDimension === 0) return { bytes: image.bytes, mimeType: image.mimeType, prepared: false }
      const meta = await sharp(image.bytes, { failOn: "error" }).metadata()
      const plan = planVisionImage({
        format: meta.format ?? "unknown",
        width: meta.width ?? 0,
        height: meta.height ?? 0,
        orientation: meta.orientation
      }, maxDimension)
      if (plan._tag === "Original") return { bytes: image.bytes, mimeType: image.mimeType, prepared: false }
      const out = await sharp(image.bytes, { failOn: "error" })
        .rotate()
        .resize(plan.width, plan.height, { fit: "fill" })
        .flatten({ background: "#ffffff" })
        .jpeg({ quality: 85 })
        .toBuffer()
      return { bytes: new Uint8Array(out), mimeType: "image/jpeg", prepared: true }
    },
    catch: (e) =>
      new AiError({
        operation: "prepare_image",
        message: `AI analyze: ${image.name} cannot be decoded for the vision model (${
          e instanceof Error ? e.message : String(e)
        })`
      })
  }).pipe(Effect.withSpan("ai.prepare_image", { attributes: { image: image.name, max_dimension: maxDimension } }))
