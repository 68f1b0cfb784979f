import { createRequire } from "node:module"
import { pathToFileURL } from "node:url"
import { Worker } from "node:worker_threads"
import type { HashAnswer } from "./worker.js"

export interface HashOutcome {
  readonly hash: string
  readonly width: number
  readonly height: number
}

interface Pending {
  readonly resolve: (outcome: HashOutcome) => void
  readonly reject: (error: Error) => void
}

interface Slot {
  readonly worker: Worker
  readonly pending: Map<number, Pending>
}

/** In the CLI bundle (scripts/bundle.mjs), the worker's file name beside the bundle. */
declare const PUBLISHER_PHASH_WORKER: string | undefined
const bundledWorker = typeof PUBLISHER_PHASH_WORKER === "string" ? PUBLISHER_PHASH_WORKER : undefined

/** Run from TypeScript sources (tests, tsx), the worker is a .ts file: tsx registers first. */
const fromSources = import.meta.url.endsWith(".ts")
const startWorker = (): Worker => {
  if (bundledWorker !== undefined) return new Worker(new URL(bundledWorker, import.meta.url))
  if (!fromSources) return new Worker(new URL("./worker.js", import.meta.url))
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href
  const worker = new URL("./worker.ts", import.meta.url).href
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}) })`,
    { eval: true }
  )
}

/**
 * Worker threads that decode (sharp) and hash (pure JS, the CPU-heavy part) images, so the event
 * loop never runs the resampling. Workers start on first use (or `warm`), up to `size`; each job goes to the
 * worker with the fewest jobs in flight. A worker that dies fails its jobs and is replaced.
 */
export class HashPool {
  private readonly slots: Array<Slot> = []
  private nextId = 1
  private closed = false

  constructor(readonly size: number) {}

  hash(bytes: Uint8Array): Promise<HashOutcome> {
    if (this.closed) return Promise.reject(new Error("the hashing pool is closed"))
    const slot = this.pick()
    const id = this.nextId++
    return new Promise<HashOutcome>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject })
      // A copy: the caller keeps its bytes (they may be uploaded next), the copy moves to the worker.
      const copy = new Uint8Array(bytes)
      // Keep the process alive only while a job is in flight.
      slot.worker.ref()
      slot.worker.postMessage({ id, bytes: copy }, [copy.buffer])
    })
  }

  /**
   * Starts one worker now if none runs, so the first hash does not wait for a worker to load
   * (sharp, the module graph): a run warms the pool while it lists and downloads.
   */
  warm(): void {
    if (!this.closed && this.slots.length === 0) this.spawn()
  }

  /** Workers started so far (tests read it). */
  get started(): number {
    return this.slots.length
  }

  async close(): Promise<void> {
    this.closed = true
    const slots = this.slots.splice(0)
    await Promise.all(slots.map((slot) => slot.worker.terminate()))
  }

  private pick(): Slot {
    const idle = this.slots.find((slot) => slot.pending.size === 0)
    if (idle !== undefined) return idle
    if (this.slots.length < this.size) return this.spawn()
    return this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a))
  }

  private spawn(): Slot {
    const worker = startWorker()
    const slot: Slot = { worker, pending: new Map() }
    worker.unref()
    worker.on("message", (answer: HashAnswer) => {
      const pending = slot.pending.get(answer.id)
      if (pending === undefined) return
      slot.pending.delete(answer.id)
      if (slot.pending.size === 0) worker.unref()
      if ("error" in answer) pending.reject(new Error(answer.error))
      else pending.resolve({ hash: answer.hash, width: answer.width, height: answer.height })
    })
    const fail = (error: Error) => {
      const index = this.slots.indexOf(slot)
      if (index >= 0) this.slots.splice(index, 1)
      for (const pending of slot.pending.values()) pending.reject(error)
      slot.pending.clear()
    }
    worker.on("error", fail)
    worker.on("exit", (code) => fail(new Error(`hashing worker exited (code ${code})`)))
    this.slots.push(slot)
    return slot
  }
}
