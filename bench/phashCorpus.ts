import imghash from "imghash"
import { execFile } from "node:child_process"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import sharp from "sharp"
import { hexDistance, phashOf } from "../src/domain/PerceptualHash.js"
import { decodeForHash } from "../src/services/phash/decode.js"
import { loadCorpus, percentile, type Photo, sharpPhashHex, spread } from "./photoCorpus.js"

const exec = promisify(execFile)

/** How a file of the corpus was made from its original. */
export type VariantKind = "original" | "half" | "q60" | "thumb256" | "pngToJpeg"

export const VARIANT_LABEL: Record<VariantKind, string> = {
  original: "original file",
  half: "resized to 50%, JPEG q90",
  q60: "recompressed, JPEG q60",
  thumb256: "256 px thumbnail (fit inside 256x256, PNG)",
  pngToJpeg: "PNG original saved as JPEG q90"
}

interface CorpusFile {
  readonly photo: Photo
  readonly kind: VariantKind
  readonly bytes: Buffer
  readonly ext: "jpg" | "png"
  readonly path: string
  readonly ours: string
}

export interface OracleRow {
  readonly label: string
  readonly files: number
  readonly identical: number
  readonly maxBits: number
  readonly meanBits: number
}

export interface DistanceRow {
  readonly label: string
  readonly pairs: number
  readonly median: number
  readonly p95: number
  readonly max: number
  /** Pairs within NEAR_DUPLICATE_DISTANCE's default, 8 bits. */
  readonly within8: number
}

export interface OtherHasherRow {
  readonly name: string
  readonly files: number
  readonly median: number
  readonly min: number
  readonly max: number
}

export interface ConformanceReport {
  readonly source: string
  readonly opencvDoc: boolean
  /** Versions of the two decoders compared. */
  readonly decoders: string
  readonly originals: number
  readonly files: number
  /** Our hash against Pillow + SciPy, by kind of file and in total; or why it could not run. */
  readonly oracle: {
    readonly rows: ReadonlyArray<OracleRow>
    readonly differing: ReadonlyArray<{ readonly file: string; readonly bits: number }>
  } | string
  readonly variants: ReadonlyArray<DistanceRow>
  /** Every copy against its original, all kinds together. */
  readonly allCopies: DistanceRow
  /** Copies more than 8 bits from their original. */
  readonly farCopies: ReadonlyArray<{ readonly file: string; readonly bits: number }>
  readonly unrelated: ReadonlyArray<PairsRow>
  /** The pairs of different photos within 8 bits (at most 10). */
  readonly closePairs: ReadonlyArray<{ readonly a: string; readonly b: string; readonly bits: number }>
  /** sharp-phash's and imghash's hashes of the same files against ours. */
  readonly others: ReadonlyArray<OtherHasherRow>
}

export interface PairsRow {
  readonly label: string
  readonly pairs: number
  readonly min: number
  readonly p1: number
  readonly median: number
  readonly within8: number
}

const ORACLE = new URL("../test/support/pillow_oracle.py", import.meta.url).pathname
const PYTHON = "/usr/bin/python3"

const ourHash = async (bytes: Uint8Array) => phashOf(await decodeForHash(bytes))

/** The variants of one photo (the original included), encoded by sharp. */
const variantsOf = async (photo: Photo): Promise<Array<{ kind: VariantKind; bytes: Buffer; ext: "jpg" | "png" }>> => {
  const ext = photo.format === "png" ? "png" : "jpg"
  const out: Array<{ kind: VariantKind; bytes: Buffer; ext: "jpg" | "png" }> = [
    { kind: "original", bytes: photo.bytes, ext },
    {
      kind: "half",
      bytes: await sharp(photo.bytes).resize({ width: Math.max(1, Math.round(photo.width / 2)) }).jpeg({ quality: 90 })
        .toBuffer(),
      ext: "jpg"
    },
    { kind: "q60", bytes: await sharp(photo.bytes).jpeg({ quality: 60 }).toBuffer(), ext: "jpg" },
    {
      kind: "thumb256",
      bytes: await sharp(photo.bytes).resize(256, 256, { fit: "inside", withoutEnlargement: true }).png().toBuffer(),
      ext: "png"
    }
  ]
  if (photo.format === "png") {
    out.push({ kind: "pngToJpeg", bytes: await sharp(photo.bytes).jpeg({ quality: 90 }).toBuffer(), ext: "jpg" })
  }
  return out
}

/** Pillow + SciPy's pHash of each file (test/support/pillow_oracle.py), or why it cannot run. */
const oracleHashes = async (paths: ReadonlyArray<string>): Promise<Map<string, string> | string> => {
  try {
    await exec(PYTHON, ["-c", "import PIL, scipy, numpy"])
  } catch {
    return `the Pillow oracle needs Debian's Python with Pillow, SciPy and NumPy (\`apt-get install python3-pil python3-scipy python3-numpy\`; it runs \`${PYTHON}\`)`
  }
  const hashes = new Map<string, string>()
  const runBatch = async (batch: ReadonlyArray<string>) => {
    const { stdout } = await exec(PYTHON, [ORACLE, ...batch], { maxBuffer: 64 << 20 })
    for (const line of stdout.split("\n")) {
      if (line.trim() === "") continue
      const { file, phash } = JSON.parse(line) as { file: string; phash: string }
      hashes.set(file, phash)
    }
  }
  for (let i = 0; i < paths.length; i += 100) {
    const batch = paths.slice(i, i + 100)
    // A file Pillow cannot open ends the batch: then one file at a time, skipping the failures.
    await runBatch(batch).catch(() => Promise.all(batch.map((p) => runBatch([p]).catch(() => undefined))))
  }
  return hashes
}

const distanceRow = (label: string, distances: ReadonlyArray<number>): DistanceRow => ({
  label,
  pairs: distances.length,
  median: percentile(distances, 0.5),
  p95: percentile(distances, 0.95),
  max: Math.max(...distances),
  within8: distances.filter((d) => d <= 8).length
})

/** `left07.jpg` -> `left.jpg`: frames or shots of one numbered series (basketball1/2, left01..14). */
const seriesOf = (name: string) => name.replace(/\d+(\.[^.]+)$/, "$1")

/** The reference's versions, e.g. "Pillow 9.4.0 with libjpeg62-turbo 1:2.1.5-2, SciPy 1.10.1". */
const pillowVersion = async (): Promise<string> => {
  const script = "import PIL, scipy; print('Pillow %s, SciPy %s' % (PIL.__version__, scipy.__version__))"
  const versions = await exec(PYTHON, ["-c", script]).then(({ stdout }) => stdout.trim(), () => "Pillow")
  const jpeg = await exec("dpkg-query", ["-W", "-f", "${Version}", "libjpeg62-turbo"]).then(
    ({ stdout }) => ` with libjpeg62-turbo ${stdout.trim()}`,
    () => ""
  )
  return versions.replace(",", jpeg + ",")
}

/**
 * Conformance of our pHash on real photos and their copies: bit difference from Pillow (the
 * reference implementation), distances between each original and its copies, distances between
 * different photos, and how far sharp-phash's and imghash's hashes are from ours.
 */
export const phashCorpusBench = async (quick: boolean): Promise<ConformanceReport | string> => {
  const corpus = await loadCorpus()
  if (typeof corpus === "string") return corpus
  const photos = quick ? spread(corpus.photos, 12) : corpus.photos
  const dir = await mkdtemp(join(tmpdir(), "publisher-phash-variants-"))
  try {
    const files: Array<CorpusFile> = []
    const unreadable: Array<string> = []
    for (const [i, photo] of photos.entries()) {
      try {
        const made: Array<CorpusFile> = []
        for (const v of await variantsOf(photo)) {
          const path = join(
            dir,
            `${String(i).padStart(3, "0")}-${photo.name.replace(/\.[^.]+$/, "")}-${v.kind}.${v.ext}`
          )
          await writeFile(path, v.bytes)
          made.push({ photo, ...v, path, ours: await ourHash(v.bytes) })
        }
        files.push(...made)
      } catch {
        unreadable.push(photo.name)
      }
    }
    const hashed = photos.filter((p) => !unreadable.includes(p.name))
    if (hashed.length < 2) return `fewer than two photos could be decoded and copied (${unreadable.join(", ")})`

    // (a) against Pillow
    const oracle = await oracleHashes(files.map((f) => f.path))
    let oracleReport: ConformanceReport["oracle"]
    if (typeof oracle === "string") oracleReport = oracle
    else if (oracle.size === 0) oracleReport = "the Pillow oracle hashed none of the files"
    else {
      const compared = files.flatMap((f) => {
        const theirs = oracle.get(f.path)
        return theirs === undefined ? [] : [{ f, bits: hexDistance(f.ours, theirs) }]
      })
      const row = (label: string, xs: typeof compared): OracleRow => ({
        label,
        files: xs.length,
        identical: xs.filter((x) => x.bits === 0).length,
        maxBits: xs.length === 0 ? 0 : Math.max(...xs.map((x) => x.bits)),
        meanBits: xs.length === 0 ? 0 : xs.reduce((s, x) => s + x.bits, 0) / xs.length
      })
      const groups: Array<[string, (f: CorpusFile) => boolean]> = [
        ["original JPEG", (f) => f.kind === "original" && f.ext === "jpg"],
        ["original PNG", (f) => f.kind === "original" && f.ext === "png"],
        ...(["half", "q60", "thumb256", "pngToJpeg"] as const).map((
          k
        ): [string, (f: CorpusFile) => boolean] => [VARIANT_LABEL[k], (f) => f.kind === k])
      ]
      oracleReport = {
        rows: [
          ...groups.map(([label, test]) => row(label, compared.filter((x) => test(x.f)))),
          row("all files", compared)
        ],
        differing: compared.filter((x) => x.bits > 0).map((x) => ({
          file: `${x.f.photo.name} (${VARIANT_LABEL[x.f.kind]})`,
          bits: x.bits
        }))
      }
    }

    // (b) each original against its copies
    const originalOf = new Map(files.filter((f) => f.kind === "original").map((f) => [f.photo, f.ours]))
    const copies = files.filter((f) => f.kind !== "original").map((f) => ({
      f,
      bits: hexDistance(originalOf.get(f.photo)!, f.ours)
    }))
    const variants = (["half", "q60", "thumb256", "pngToJpeg"] as const).flatMap((kind) => {
      const ds = copies.filter((c) => c.f.kind === kind).map((c) => c.bits)
      return ds.length === 0 ? [] : [distanceRow(VARIANT_LABEL[kind], ds)]
    })
    const allCopies = distanceRow("all copies", copies.map((c) => c.bits))
    const farCopies = copies.filter((c) => c.bits > 8).map((c) => ({
      file: `${c.f.photo.name} (${VARIANT_LABEL[c.f.kind]})`,
      bits: c.bits
    }))

    // (c) different photos
    const originals = files.filter((f) => f.kind === "original")
    const pairs: Array<{ a: string; b: string; bits: number; series: boolean }> = []
    for (let i = 0; i < originals.length; i++) {
      for (let j = i + 1; j < originals.length; j++) {
        const [a, b] = [originals[i]!.photo.name, originals[j]!.photo.name]
        pairs.push({
          a,
          b,
          bits: hexDistance(originals[i]!.ours, originals[j]!.ours),
          series: seriesOf(a) === seriesOf(b)
        })
      }
    }
    const pairsRow = (label: string, xs: ReadonlyArray<{ bits: number }>): PairsRow => {
      const bits = xs.map((x) => x.bits)
      return {
        label,
        pairs: bits.length,
        min: Math.min(...bits),
        p1: percentile(bits, 0.01),
        median: percentile(bits, 0.5),
        within8: bits.filter((d) => d <= 8).length
      }
    }
    const unrelated = [pairsRow("all pairs of originals", pairs)]
    const otherSeries = pairs.filter((p) => !p.series)
    if (otherSeries.length < pairs.length) unrelated.push(pairsRow("not of one numbered series", otherSeries))
    const closePairs = pairs.filter((p) => p.bits <= 8).sort((x, y) => x.bits - y.bits).slice(0, 10).map((
      { a, b, bits }
    ) => ({ a, b, bits }))

    // sharp-phash and imghash on the same files
    const others: Array<OtherHasherRow> = []
    for (
      const [name, hash] of [
        ["sharp-phash", sharpPhashHex],
        ["imghash", (b: Buffer) => imghash.hash(b, 8)]
      ] as const
    ) {
      const ds: Array<number> = []
      for (const f of files) {
        const theirs = await hash(f.bytes).catch(() => undefined)
        if (theirs !== undefined) ds.push(hexDistance(f.ours, theirs))
      }
      if (ds.length > 0) {
        others.push({ name, files: ds.length, median: percentile(ds, 0.5), min: Math.min(...ds), max: Math.max(...ds) })
      }
    }

    return {
      source: corpus.source + (photos.length < corpus.photos.length ? ` (quick run: ${photos.length} of them)` : "") +
        (unreadable.length > 0 ? ` (left out, could not be decoded or copied: ${unreadable.join(", ")})` : ""),
      opencvDoc: corpus.opencvDoc,
      decoders:
        `sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}, mozjpeg ${
          sharp.versions.mozjpeg ?? "?"
        }, libpng ${sharp.versions.png ?? "?"}) ` +
        `against ${typeof oracle === "string" ? "no oracle" : await pillowVersion()}`,
      originals: hashed.length,
      files: files.length,
      oracle: oracleReport,
      variants,
      allCopies,
      farCopies,
      unrelated,
      closePairs,
      others
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
