import { generateSamplePhotos } from "../src/sandbox/photos.js"
import { runWorkflow, startRig, withLayers } from "./harness.js"

/** The publishing issue's latencies (ms), on top of the foundation's Telegram 400. */
export const FANOUT_LATENCY = { telegram: 400, container: 500, statusPoll: 300, publish: 500, smtp: 300 } as const

export interface FanoutRow {
  readonly platforms: string
  readonly publishMs: ReadonlyArray<number>
}

const ALL = ["telegram", "instagram", "email"] as const

/**
 * `publish_parallel_ms` of a post to each platform alone and to all three at once, each on a
 * fresh rig with the same latencies: the fan-out's limit is the slowest single platform.
 */
export const fanoutBench = async (repeats: number): Promise<Array<FanoutRow>> => {
  const rows: Array<FanoutRow> = []
  for (const enabled of [["telegram"], ["instagram"], ["email"], [...ALL]] as const) {
    const publishMs: Array<number> = []
    for (let i = 0; i < repeats; i++) {
      const rig = await startRig({
        telegram: { sendPhoto: FANOUT_LATENCY.telegram },
        instagram: {
          media: FANOUT_LATENCY.container,
          container_status: FANOUT_LATENCY.statusPoll,
          media_publish: FANOUT_LATENCY.publish
        },
        instagramPolls: 1, // two status polls: IN_PROGRESS, then FINISHED
        smtpMs: FANOUT_LATENCY.smtp
      })
      try {
        for (const platform of ALL) {
          rig.config.set(
            `${platform.toUpperCase()}_ENABLED`,
            String((enabled as ReadonlyArray<string>).includes(platform))
          )
        }
        // 1080x1350 is acceptable to Instagram as it is: no prepared copy in the measurement.
        const [, photo] = await generateSamplePhotos(2, 100 + i)
        rig.dropbox.files.put(`/Photos/${photo!.name}`, photo!.bytes)
        const result = await withLayers(rig, runWorkflow())
        if (!Object.values(result.published).every((o) => o.ok)) {
          throw new Error(`fan-out run failed: ${JSON.stringify(result.published)}`)
        }
        publishMs.push(result.timings.publish_parallel_ms ?? Number.NaN)
      } finally {
        await rig.close()
      }
    }
    rows.push({ platforms: enabled.join(" + "), publishMs })
  }
  return rows
}
