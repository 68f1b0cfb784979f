import { parentPort } from "node:worker_threads"
import { phashOf } from "../../domain/PerceptualHash.js"
import { decodeForHash } from "./decode.js"

/** One job: the bytes of an image file. The answer: its pHash, or why it could not be decoded. */
export interface HashJob {
  readonly id: number
  readonly bytes: Uint8Array
}

export type HashAnswer =
  | { readonly id: number; readonly hash: string; readonly width: number; readonly height: number }
  | { readonly id: number; readonly error: string }

parentPort?.on("message", (job: HashJob) => {
  decodeForHash(job.bytes).then(
    (image) =>
      parentPort!.postMessage(
        { id: job.id, hash: phashOf(image), width: image.width, height: image.height } satisfies HashAnswer
      ),
    (error: unknown) =>
      parentPort!.postMessage(
        { id: job.id, error: error instanceof Error ? error.message : String(error) } satisfies HashAnswer
      )
  )
})
