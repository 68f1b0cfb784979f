import { Effect } from "effect"
import { State } from "../src/services/state/State.js"
import { Storage } from "../src/services/storage/Storage.js"
import { runWorkflow, sha256, startRig, sum, withLayers } from "./harness.js"

export interface SelectionRow {
  readonly images: number
  readonly posted: string
  readonly strategy: string
  readonly apiCalls: number
  readonly downloads: number
  readonly ms: number
}

/**
 * Picking an unposted image from a folder of N synthetic images of which 90% / 100% are posted:
 * ours (list with content_hash, select in memory, download one) against a download-to-hash
 * baseline (download images in random order and hash them until one is unposted).
 */
export const selectionBench = async (
  sizes: ReadonlyArray<number>,
  baselineMax: number
): Promise<Array<SelectionRow>> => {
  const rows: Array<SelectionRow> = []
  for (const images of sizes) {
    for (const postedShare of [0.9, 1]) {
      const rig = await startRig()
      // Synthetic files are not decodable images: the vision model gets them as they are.
      rig.config.set("VISION_MAX_DIMENSION", "0")
      try {
        rig.dropbox.files.addSynthetic("/Photos", images)
        const files = rig.dropbox.files.list("/Photos")
        const postedCount = Math.round(images * postedShare)
        const postedFiles = files.slice(0, postedCount)
        await withLayers(
          rig,
          Effect.gen(function*() {
            const state = yield* State
            yield* state.importPosted({
              contentHashes: postedFiles.map((f) => f.contentHash),
              sha256s: postedFiles.map((f) => sha256(f.bytes())),
              source: "bench"
            })
          })
        )
        const label = `${Math.round(postedShare * 100)}%`

        const before = { ...rig.dropbox.calls }
        const started = performance.now()
        await withLayers(rig, runWorkflow({ preview: true }))
        const ms = performance.now() - started
        const calls = Object.fromEntries(Object.entries(rig.dropbox.calls).map(([k, v]) => [k, v - (before[k] ?? 0)]))
        rows.push({
          images,
          posted: label,
          strategy: "publisher (content_hash)",
          apiCalls: sum(calls, "files/list_folder", "files/list_folder/continue", "files/download", "oauth2/token"),
          downloads: sum(calls, "files/download"),
          ms
        })

        if (images <= baselineMax) {
          const postedSha = new Set(postedFiles.map((f) => sha256(f.bytes())))
          const before2 = { ...rig.dropbox.calls }
          const started2 = performance.now()
          await withLayers(
            rig,
            Effect.gen(function*() {
              const storage = yield* Storage
              const listed = [...(yield* storage.listImages("/Photos"))].sort(() => Math.random() - 0.5)
              for (const image of listed) {
                if (!postedSha.has(sha256(yield* storage.download(image.path)))) return image
              }
              return undefined
            })
          )
          const ms2 = performance.now() - started2
          const calls2 = Object.fromEntries(
            Object.entries(rig.dropbox.calls).map(([k, v]) => [k, v - (before2[k] ?? 0)])
          )
          rows.push({
            images,
            posted: label,
            strategy: "download-to-hash baseline",
            apiCalls: sum(calls2, "files/list_folder", "files/list_folder/continue", "files/download", "oauth2/token"),
            downloads: sum(calls2, "files/download"),
            ms: ms2
          })
        }
      } finally {
        await rig.close()
      }
    }
  }
  return rows
}
