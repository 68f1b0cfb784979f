import { Effect, Layer } from "effect"
import { performance } from "node:perf_hooks"
import sharp from "sharp"
import { startOpenAi } from "../src/sandbox/openai.js"
import { Ai } from "../src/services/ai/Ai.js"
import { AiLive } from "../src/services/ai/OpenAiLive.js"
import { configLayer } from "../test/support/config.js"
import { loadCorpus, percentile } from "./photoCorpus.js"

export interface VisionRow {
  readonly label: string
  /** Median bytes of the image in the request (decoded from base64). */
  readonly imageBytes: number
  /** Median bytes of the whole request body. */
  readonly requestBytes: number
  /**
   * Median ms of one analyze call against the emulator on loopback (preparing the image included; no model latency).
   */
  readonly callMs: number
  /** Input tokens the image costs by OpenAI's published rule for its detail and size. */
  readonly imageTokens: number
}

export interface VisionReport {
  readonly source: string
  readonly photos: number
  readonly meanMb: number
  readonly rows: ReadonlyArray<VisionRow>
}

/**
 * OpenAI's published rule for GPT-4o-class models: `low` is 85 tokens; `high` (and `auto` for a
 * large image) scales to fit 2048x2048, then the short side to 768, and costs 85 + 170 per 512 px tile.
 */
export const imageTokens = (width: number, height: number, detail: "low" | "high") => {
  if (detail === "low") return 85
  let [w, h] = [width, height]
  const fit = Math.min(1, 2048 / Math.max(w, h))
  ;[w, h] = [w * fit, h * fit]
  const short = Math.min(1, 768 / Math.min(w, h))
  ;[w, h] = [w * short, h * short]
  return 85 + 170 * Math.ceil(w / 512) * Math.ceil(h / 512)
}

const median = (xs: ReadonlyArray<number>) => percentile(xs, 50)

/**
 * Camera-size photos (the corpus upscaled to 4032x3024, JPEG q92) sent to the vision model as they are and as Publisher
 * prepares them.
 */
export const visionBench = async (quick: boolean): Promise<VisionReport | string> => {
  const corpus = await loadCorpus()
  if (typeof corpus === "string") return corpus
  const sources = corpus.photos.filter((p) => p.format === "jpeg").slice(0, quick ? 2 : 10)
  const photos = (await Promise.allSettled(
    sources.map((p) => sharp(p.bytes).resize(4032, 3024, { fit: "cover" }).jpeg({ quality: 92 }).toBuffer())
  ))
    .flatMap((r) => (r.status === "fulfilled" ? [new Uint8Array(r.value)] : []))
  if (photos.length === 0) return "sharp could not re-encode the corpus photos"
  const openai = await startOpenAi({ apiKey: "sk-bench" })
  // No libvips operation cache: every call decodes its photo as a run would.
  sharp.cache(false)
  try {
    const rows: Array<VisionRow> = []
    for (
      const [label, maxDimension, detail] of [
        ["original file, `detail: auto` (before: every photo as it was)", 0, "auto"],
        ["1024 px JPEG, `detail: low` (`VISION_MAX_DIMENSION`, default)", 1024, "low"],
        ["2048 px JPEG, `detail: high` (the fallback)", 2048, "high"]
      ] as const
    ) {
      const calls: Array<number> = []
      const layer = AiLive.pipe(Layer.provide(configLayer({
        OPENAI_API_KEY: "sk-bench",
        OPENAI_BASE_URL: `${openai.url}/v1`,
        AI_RATE_PER_MINUTE: "100000",
        VISION_MAX_DIMENSION: String(maxDimension),
        VISION_DETAIL: detail
      })))
      await Effect.runPromise(
        Effect.gen(function*() {
          const ai = yield* Ai
          for (const [i, bytes] of photos.entries()) {
            const image = { name: `photo-${i}.jpg`, bytes, mimeType: "image/jpeg" }
            const t1 = performance.now()
            yield* ai.analyze(image)
            calls.push(performance.now() - t1)
          }
        }).pipe(Effect.provide(layer))
      )
      const requests = openai.requests.slice(-photos.length)
      const sentImages = requests.map((r) => r.image!)
      const sizes = await Promise.all(sentImages.map(async (img) => {
        const meta = await sharp(img.bytes).metadata()
        return { bytes: img.bytes.length, width: meta.width ?? 0, height: meta.height ?? 0 }
      }))
      rows.push({
        label,
        imageBytes: median(sizes.map((s) => s.bytes)),
        requestBytes: median(requests.map((r) => r.bodyBytes)),
        callMs: median(calls),
        imageTokens: median(sizes.map((s) => imageTokens(s.width, s.height, detail === "low" ? "low" : "high")))
      })
    }
    return {
      source: corpus.source,
      photos: photos.length,
      meanMb: photos.reduce((s, b) => s + b.length, 0) / photos.length / 1e6,
      rows
    }
  } finally {
    sharp.cache(true)
    await openai.close()
  }
}
