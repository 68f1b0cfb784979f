import { Effect } from "effect"
import sharp from "sharp"

/** Telegram's sendPhoto limits: at most 10 MB, width + height at most 10,000, ratio at most 20. */
export const TELEGRAM_PHOTO = { maxBytes: 10 * 1024 * 1024, maxDimensionSum: 10_000, maxRatio: 20 } as const

/** Whether Telegram would refuse the photo as it is (pure). */
export const telegramRefuses = (facts: { width: number; height: number; bytes: number }): boolean =>
  facts.bytes > TELEGRAM_PHOTO.maxBytes ||
  facts.width + facts.height > TELEGRAM_PHOTO.maxDimensionSum ||
  Math.max(facts.width, facts.height) / Math.max(1, Math.min(facts.width, facts.height)) > TELEGRAM_PHOTO.maxRatio

/**
 * The bytes to send: the original when Telegram accepts it, else a JPEG scaled to fit
 * (long side 2560) and re-encoded until it is under 10 MB. A photo that cannot be decoded is
 * sent as it is and Telegram says why it refuses.
 */
export const telegramPhoto = (bytes: Uint8Array, mimeType: string) =>
  Effect.promise(async () => {
    const meta = await sharp(bytes).metadata().catch(() => undefined)
    if (meta?.width === undefined || meta.height === undefined) return { bytes, mimeType }
    if (!telegramRefuses({ width: meta.width, height: meta.height, bytes: bytes.length })) return { bytes, mimeType }
    for (const quality of [88, 78, 68]) {
      const out = await sharp(bytes).rotate().resize(2560, 2560, { fit: "inside", withoutEnlargement: true }).flatten({
        background: "#ffffff"
      }).jpeg({ quality }).toBuffer()
      if (out.length <= TELEGRAM_PHOTO.maxBytes) return { bytes: new Uint8Array(out), mimeType: "image/jpeg" }
    }
    return { bytes, mimeType }
  }).pipe(Effect.withSpan("publish.telegram.prepare_image"))
