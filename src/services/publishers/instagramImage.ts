import { Effect } from "effect"
import sharp from "sharp"
import { PublishError } from "../../domain/Errors.js"
import { INSTAGRAM_IMAGE, type InstagramPlan, planInstagramImage } from "../../domain/InstagramImage.js"

const fail = (message: string) =>
  new PublishError({ platform: "instagram", message: `instagram: ${message}`, transient: false })

/** Reads the image's format and size (sharp, off the event loop). */
export const instagramPlanFor = (bytes: Uint8Array, fit: "crop" | "pad") =>
  Effect.tryPromise({
    try: () => sharp(bytes).metadata(),
    catch: () => fail("the image cannot be decoded")
  }).pipe(
    Effect.map((meta) =>
      planInstagramImage({
        format: meta.format ?? "unknown",
        width: meta.width ?? 0,
        height: meta.height ?? 0,
        bytes: bytes.length
      }, fit)
    )
  )

/** An acceptable JPEG made by the plan (crop or pad, resize, re-encode; quality lowered to fit 8 MB). */
export const prepareInstagramCopy = (bytes: Uint8Array, plan: Extract<InstagramPlan, { _tag: "Prepare" }>) =>
  Effect.tryPromise({
    try: async () => {
      for (const quality of [90, 80, 70, 60]) {
        let image = sharp(bytes).rotate()
        if (plan.fit === "crop") {
          image = image.extract(plan.extract).resize(plan.width, plan.height)
        } else {
          image = image.resize(plan.width, plan.height, {
            fit: "contain",
            background: { r: 255, g: 255, b: 255, alpha: 1 }
          })
        }
        const out = await image.flatten({ background: "#ffffff" }).jpeg({ quality, mozjpeg: true }).toBuffer()
        if (out.length <= INSTAGRAM_IMAGE.maxBytes) return new Uint8Array(out)
      }
      throw new Error("still over 8 MB at quality 60")
    },
    catch: (e) => fail(`cannot prepare an acceptable copy (${e instanceof Error ? e.message : String(e)})`)
  }).pipe(
    Effect.withSpan("publish.instagram.prepare_image", {
      attributes: { width: plan.width, height: plan.height, fit: plan.fit }
    })
  )
