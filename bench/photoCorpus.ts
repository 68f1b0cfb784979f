import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import sharp from "sharp"
import sharpPhashModule from "sharp-phash"

/**
 * Real photos for the perceptual-hash benches: `PHASH_CORPUS` (a folder of JPEG / PNG files), else
 * the sample images of Debian's `opencv-doc` (baboon, fruits, building, home, ...), fetched once
 * with `apt-get download` and cached under the OS temp folder. Nothing of it is committed.
 */
export interface Photo {
  readonly name: string
  readonly path: string
  readonly bytes: Buffer
  readonly format: "jpeg" | "png"
  readonly width: number
  readonly height: number
}

export interface Corpus {
  /** Where the photos came from, for the report. */
  readonly source: string
  /** True for Debian's opencv-doc samples (the report names some of them). */
  readonly opencvDoc: boolean
  readonly photos: ReadonlyArray<Photo>
}

export const CORPUS_HOWTO =
  "set `PHASH_CORPUS` to a folder of JPEG / PNG photos, or let the bench fetch Debian's `opencv-doc` " +
  "(it needs `apt-get` with Debian package lists, `apt-get update`, and `dpkg-deb`): " +
  "`apt-get download opencv-doc && dpkg-deb -x opencv-doc_*.deb x` and point `PHASH_CORPUS` at " +
  "`x/usr/share/doc/opencv-doc/examples/data`"

const CACHE = join(tmpdir(), "publisher-phash-corpus")
const DATA = join(CACHE, "opencv-doc-examples-data")
const MIN_SIDE = 100

/** Runs a command to completion; rejects with the tail of its stderr. */
const run = (command: string, args: ReadonlyArray<string>, cwd: string) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "ignore", "pipe"], timeout: 300_000 })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)))
    child.on("error", reject)
    child.on(
      "close",
      (
        code
      ) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")}: exit ${code}: ${stderr.trim()}`)))
    )
  })

/** `dpkg-deb --fsys-tarfile deb | tar -x` of the examples/data folder only (not the 300 MB of HTML). */
const extractData = async (deb: string, into: string) => {
  const dpkg = spawn("dpkg-deb", ["--fsys-tarfile", deb], { stdio: ["ignore", "pipe", "pipe"] })
  const tar = spawn("tar", ["-x", "-C", into, "--wildcards", "./usr/share/doc/opencv-doc/examples/data/*"], {
    stdio: ["pipe", "ignore", "pipe"]
  })
  dpkg.stdout.pipe(tar.stdin)
  let stderr = ""
  const exit = (p: ReturnType<typeof spawn>) =>
    new Promise<number | null>((resolve) => {
      p.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)))
      p.on("error", (e) => {
        stderr += e.message
        resolve(null)
      })
      p.on("close", resolve)
    })
  const [a, b] = await Promise.all([exit(dpkg), exit(tar)])
  if (a !== 0 || b !== 0) throw new Error(`dpkg-deb --fsys-tarfile | tar -x: exit ${a} / ${b}: ${stderr.trim()}`)
}

/** The opencv-doc sample folder, downloaded and extracted on first use. */
const opencvDocData = async (): Promise<string> => {
  if (existsSync(DATA)) return DATA
  await mkdir(CACHE, { recursive: true })
  const work = await mkdtemp(join(CACHE, "fetch-"))
  try {
    await run("apt-get", ["download", "opencv-doc"], work)
    const deb = (await readdir(work)).find((f) => f.startsWith("opencv-doc_") && f.endsWith(".deb"))
    if (deb === undefined) throw new Error("apt-get download opencv-doc left no .deb")
    const root = join(work, "root")
    await mkdir(root)
    await extractData(join(work, deb), root)
    await rename(join(root, "usr/share/doc/opencv-doc/examples/data"), DATA)
    return DATA
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/** The JPEG / PNG files of `dir` (not recursive), at least 100x100, by name. */
const photosIn = async (dir: string): Promise<Array<Photo>> => {
  const names = (await readdir(dir)).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort()
  const photos: Array<Photo> = []
  for (const name of names) {
    const path = join(dir, name)
    const bytes = await readFile(path)
    const meta = await sharp(bytes).metadata().catch(() => undefined)
    if (meta === undefined || (meta.format !== "jpeg" && meta.format !== "png")) continue
    const { height, width } = meta
    if (width === undefined || height === undefined || width < MIN_SIDE || height < MIN_SIDE) continue
    photos.push({ name, path, bytes, format: meta.format, width, height })
  }
  return photos
}

let cached: Promise<Corpus | string> | undefined

/** The corpus, or why there is none (with how to get one). Fetched at most once per process. */
export const loadCorpus = (): Promise<Corpus | string> => {
  cached ??= (async () => {
    const folder = process.env["PHASH_CORPUS"]
    try {
      const dir = folder !== undefined && folder !== "" ? folder : await opencvDocData()
      const photos = await photosIn(dir)
      if (photos.length < 2) {
        return `fewer than two JPEG / PNG photos of at least ${MIN_SIDE}x${MIN_SIDE} in ${dir}; ${CORPUS_HOWTO}`
      }
      const source = folder !== undefined && folder !== ""
        ? `\`PHASH_CORPUS\` (${photos.length} photos)`
        : `the ${photos.length} JPEG / PNG sample images of at least ${MIN_SIDE}x${MIN_SIDE} of Debian's \`opencv-doc\` (\`examples/data\`: baboon, fruits, building, home, stereo pairs, calibration shots, ...)`
      return { source, opencvDoc: folder === undefined || folder === "", photos }
    } catch (error) {
      return `no photo corpus (${
        error instanceof Error ? error.message.split("\n")[0] : String(error)
      }); ${CORPUS_HOWTO}`
    }
  })()
  return cached
}

/** Runs `f` over `items` with at most `limit` in flight; results in input order. */
export const mapLimit = async <A, B>(
  items: ReadonlyArray<A>,
  limit: number,
  f: (a: A) => Promise<B>
): Promise<Array<B>> => {
  const out = new Array<B>(items.length)
  let next = 0
  const lane = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await f(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane))
  return out
}

/** n items evenly spread over `xs` (all of them when there are at most n). */
export const spread = <A>(xs: ReadonlyArray<A>, n: number): Array<A> =>
  xs.length <= n ? [...xs] : Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]!)

/** Nearest-rank percentile (p in 0..1) of numbers. */
export const percentile = (xs: ReadonlyArray<number>, p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!
}

type SharpPhash = (image: Buffer) => Promise<string>
/** sharp-phash is CommonJS (`module.exports = phash`) while its typings declare `export default`. */
const sharpPhash: SharpPhash = (sharpPhashModule as unknown as { default?: SharpPhash }).default ??
  (sharpPhashModule as unknown as SharpPhash)

/** sharp-phash's hash (64 characters "0" / "1") as 16 hex digits, first character most significant. */
export const sharpPhashHex = async (image: Buffer): Promise<string> =>
  BigInt("0b" + (await sharpPhash(image))).toString(16).padStart(16, "0")
