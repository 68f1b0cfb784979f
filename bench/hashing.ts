import imghash from "imghash"
import { availableParallelism } from "node:os"
import { performance } from "node:perf_hooks"
import sharp, { type Sharp } from "sharp"
import { phashOf } from "../src/domain/PerceptualHash.js"
import { decodeForHash } from "../src/services/phash/decode.js"
import { HashPool } from "../src/services/phash/pool.js"
import { loadCorpus, mapLimit, type Photo, sharpPhashHex, spread } from "./photoCorpus.js"

export interface ImageSet {
  readonly label: string
  readonly images: number
  /** Mean file size, MB. */
  readonly meanMb: number
  readonly description: string
}

export interface ThroughputRow {
  readonly method: string
  /** Images per second on the large and on the small set. */
  readonly large: number
  readonly small: number
}

export interface ThroughputReport {
  readonly source: string
  readonly cores: number
  readonly large: ImageSet
  readonly small: ImageSet
  /** The first row is sharp's bare decode: the limit. */
  readonly rows: ReadonlyArray<ThroughputRow>
  /** Minimum timed duration per method and set, ms (after one untimed pass). */
  readonly minMs: number
}

/** Colour JPEGs first, largest first: the closest the corpus has to camera photos. */
const byPhotoLikeness = (photos: ReadonlyArray<Photo>) =>
  [...photos].sort((a, b) =>
    Number(b.format === "jpeg") - Number(a.format === "jpeg") || b.width * b.height - a.width * a.height
  )

const meanMb = (buffers: ReadonlyArray<Buffer>) => buffers.reduce((s, b) => s + b.byteLength, 0) / buffers.length / 1e6

/** Images per second of `pass` over `images`: one untimed pass, then passes until `minMs` is reached. */
const throughput = async (
  images: ReadonlyArray<Buffer>,
  minMs: number,
  pass: (images: ReadonlyArray<Buffer>) => Promise<unknown>
) => {
  await pass(images)
  let done = 0
  const started = performance.now()
  do {
    await pass(images)
    done += images.length
  } while (performance.now() - started < minMs)
  return done / ((performance.now() - started) / 1000)
}

/**
 * Hashing throughput on the same in-memory JPEGs, one method after another: sharp's bare decode
 * (the limit: every method decodes the whole file, except where sharp shrinks on load), ours through
 * the worker pool and on the main thread, sharp-phash, imghash.
 */
export const hashingBench = async (quick: boolean): Promise<ThroughputReport | string> => {
  const corpus = await loadCorpus()
  if (typeof corpus === "string") return corpus
  const cores = availableParallelism()
  const minMs = quick ? 0 : 4_000
  const ranked = byPhotoLikeness(corpus.photos)
  const largeSources = ranked.slice(0, quick ? 2 : 8)
  const smallSources = spread(corpus.photos, quick ? 6 : 30)
  // Photos sharp cannot read are left out.
  const encoded = async (sources: ReadonlyArray<Photo>, make: (s: Sharp) => Sharp) =>
    (await Promise.allSettled(sources.map((p) => make(sharp(p.bytes)).toBuffer())))
      .flatMap((r) => (r.status === "fulfilled" ? [r.value] : []))
  const large = await encoded(largeSources, (s) => s.resize(4000, 3000, { fit: "cover" }).jpeg({ quality: 90 }))
  const small = await encoded(smallSources, (s) => s.resize(1024, 1024, { fit: "inside" }).jpeg({ quality: 85 }))
  if (large.length === 0 || small.length === 0) return "sharp could not re-encode the corpus photos as JPEG"

  const pool = new HashPool(cores)
  try {
    // The pool hashes what the main thread hashes (a check, not a measurement).
    for (const image of [...large.slice(0, 1), ...small.slice(0, 2)]) {
      const [viaPool, direct] = [(await pool.hash(image)).hash, phashOf(await decodeForHash(image))]
      if (viaPool !== direct) throw new Error(`HashPool gave ${viaPool}, the main thread ${direct}`)
    }
    const methods: ReadonlyArray<[string, (images: ReadonlyArray<Buffer>) => Promise<unknown>]> = [
      [
        `sharp bare decode (\`raw().toBuffer()\`, ${cores} at a time): the limit`,
        (xs) => mapLimit(xs, cores, (b) => sharp(b).raw().toBuffer())
      ],
      [
        `ours, \`HashPool\` of ${cores} workers (all images in flight)`,
        (xs) => Promise.all(xs.map((b) => pool.hash(b)))
      ],
      ["ours on the main thread (`decodeForHash` + `phashOf`, one at a time)", async (xs) => {
        for (const b of xs) phashOf(await decodeForHash(b))
      }],
      [`sharp-phash (${cores} at a time)`, (xs) => mapLimit(xs, cores, sharpPhashHex)],
      [`imghash \`hash(buf, 8)\` (${cores} at a time)`, (xs) => mapLimit(xs, cores, (b) => imghash.hash(b, 8))]
    ]
    const rows: Array<ThroughputRow> = []
    for (const [method, pass] of methods) {
      console.error(`  ${method.replace(/`/g, "")} ...`)
      rows.push({ method, large: await throughput(large, minMs, pass), small: await throughput(small, minMs, pass) })
    }
    return {
      source: corpus.source,
      cores,
      large: {
        label: "large",
        images: large.length,
        meanMb: meanMb(large),
        description: `${large.length} photos upscaled to 4000x3000 (cover), JPEG q90`
      },
      small: {
        label: "small",
        images: small.length,
        meanMb: meanMb(small),
        description: `${small.length} photos at 1024 px on the long side, JPEG q85`
      },
      rows,
      minMs
    }
  } finally {
    await pool.close()
  }
}
