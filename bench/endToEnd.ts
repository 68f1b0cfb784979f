import { generateSamplePhotos } from "../src/sandbox/photos.js"
import { runWorkflow, startRig, withLayers } from "./harness.js"

/** The foundation issue's emulator latencies (ms). */
export const LATENCY = {
  list: 150,
  download: 250,
  vision: 1500,
  caption: 800,
  upload: 150,
  telegram: 400,
  move: 150
} as const

export interface EndToEndResult {
  readonly runs: ReadonlyArray<number>
  readonly criticalPath: number
  readonly timings: Record<string, number>
}

/**
 * One post with realistic latencies against the sum of the dependent calls: list -> download ->
 * vision -> caption -> max(sidecar upload, Telegram) -> archive move. The vision and caption
 * calls go to the same route, so the emulator tells them apart by the request's schema name.
 */
export const endToEndBench = async (repeats: number): Promise<EndToEndResult> => {
  const runs: Array<number> = []
  let timings: Record<string, number> = {}
  for (let i = 0; i < repeats; i++) {
    const rig = await startRig({
      dropbox: {
        "files/list_folder": LATENCY.list,
        "files/list_folder/continue": LATENCY.list,
        "files/download": LATENCY.download,
        "files/upload": LATENCY.upload,
        "files/move_batch_v2": LATENCY.move,
        "files/move_batch/check_v2": LATENCY.move,
        "files/move_v2": LATENCY.move
      },
      openaiSchemas: { image_analysis: LATENCY.vision, caption_pair: LATENCY.caption },
      telegram: { sendPhoto: LATENCY.telegram }
    })
    try {
      // The foundation's scenario: Telegram is the one platform.
      rig.config.set("INSTAGRAM_ENABLED", "false")
      rig.config.set("EMAIL_ENABLED", "false")
      for (const photo of await generateSamplePhotos(1, i + 1)) {
        rig.dropbox.files.put(`/Photos/${photo.name}`, photo.bytes)
      }
      const started = performance.now()
      const result = await withLayers(rig, runWorkflow())
      runs.push(performance.now() - started)
      timings = { ...result.timings }
    } finally {
      await rig.close()
    }
  }
  const criticalPath = LATENCY.list + LATENCY.download + LATENCY.vision + LATENCY.caption +
    Math.max(LATENCY.upload, LATENCY.telegram) + LATENCY.move
  return { runs, criticalPath, timings }
}
