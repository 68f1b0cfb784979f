import type { ThroughputReport } from "./hashing.js"
import type { ConformanceReport } from "./phashCorpus.js"

/** The BENCHMARKS.md text of the two perceptual-hash benches (their headings are in run.ts). */

const f1 = (x: number) => x.toFixed(1)
const f2 = (x: number) => x.toFixed(2)

export const conformanceMarkdown = (r: ConformanceReport | string): Array<string> => {
  if (typeof r === "string") return [`Skipped: ${r}.`, ""]
  const lines = [
    `Corpus: ${r.source}. For each photo, copies made with sharp: resized to 50% (JPEG q90), recompressed`,
    "(JPEG q60), a 256 px thumbnail (fit inside 256x256, PNG: the size `dedup scan` hashes) and, for PNG originals,",
    `a JPEG q90 copy: ${r.files} files in all. Decoders: ${r.decoders}.`,
    "",
    "Our pHash against imagehash's (`test/support/pillow_oracle.py`: Pillow `convert(\"L\")`, LANCZOS, SciPy DCT) on each file:",
    ""
  ]
  if (typeof r.oracle === "string") lines.push(`Not measured: ${r.oracle}.`, "")
  else {
    lines.push(
      "| kind of file | count | identical hashes | max bits differing | mean bits differing |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...r.oracle.rows.filter((x) => x.files > 0).map((x) =>
        `| ${x.label} | ${x.files} | ${x.identical} | ${x.maxBits} | ${f2(x.meanBits)} |`
      ),
      ""
    )
    const total = r.oracle.rows.at(-1)!
    lines.push(
      r.oracle.differing.length === 0
        ? `Identical on all ${total.files} files: on this corpus sharp and Pillow decode every file to the same pixels (sharp's mozjpeg is a fork of libjpeg-turbo with its decoder), so the ` +
          "one-grey-level differences a JPEG decoder can make did not occur. Another libjpeg build on either side (another IDCT, other chroma upsampling) could still " +
          "move a coefficient lying at the median and flip a bit; the table would show it."
        : `${r.oracle.differing.length} of ${total.files} files differ, by at most ${total.maxBits} bits: ` +
          r.oracle.differing.slice(0, 10).map((d) => `${d.file} ${d.bits}`).join("; ") +
          (r.oracle.differing.length > 10 ? "; ..." : "") +
          ". Decoders that differ by a grey level here and there move a DCT coefficient lying near the median across it.",
      ""
    )
  }
  lines.push(
    "Each copy against its original (our hash; distances in bits of 64):",
    "",
    "| copy | pairs | median | p95 | max | within 8 bits |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...r.variants.map((v) => `| ${v.label} | ${v.pairs} | ${v.median} | ${v.p95} | ${v.max} | ${v.within8} |`),
    ""
  )
  if (r.farCopies.length > 0) {
    const names = [...new Set(r.farCopies.map((c) => c.file.split(" (")[0]!))]
    const graphics = r.opencvDoc && names.every((n) => ["gradient.png", "tmpl.png", "chessboard.png"].includes(n))
    lines.push(
      `Copies more than 8 bits away: ${r.farCopies.map((c) => `${c.file} ${c.bits}`).join("; ")}.` +
        (graphics
          ? " These are graphics, not photos: a smooth gradient (few DCT coefficients away from zero, so the median falls among near-equal values" +
            " and compression noise flips many bits), a template that is 64% transparent (imagehash ignores alpha and sees the colour stored under" +
            " transparent pixels, which sharp flattens to black when it writes a JPEG) and a 3595x3723 chessboard whose fine squares alias when shrunk."
          : ""),
      ""
    )
  }
  lines.push(
    "Different photos (all pairs of originals, our hash); the second row leaves out pairs whose names differ only in digits",
    "(frames or shots of one series, such as `basketball1` / `basketball2`):",
    "",
    "| which pairs | count | min | p1 | median | within 8 bits |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...r.unrelated.map((u) => `| ${u.label} | ${u.pairs} | ${u.min} | ${u.p1} | ${u.median} | ${u.within8} |`),
    ""
  )
  const all = r.unrelated[0]!
  lines.push(
    `Of the ${r.allCopies.pairs} copies, ${r.allCopies.within8} are within 8 bits of their original (median ${r.allCopies.median}, 95% within ${r.allCopies.p95} bits),`,
    `while different photos sit at a median of ${all.median} bits (what`,
    `unrelated 64-bit hashes give) and only 1% of pairs are at ${all.p1} bits or closer: \`NEAR_DUPLICATE_DISTANCE\` = 8 lies between the two.` +
      (r.closePairs.length > 0
        ? ` The pairs of different files within 8 bits: ${
          r.closePairs.map((p) => `${p.a} / ${p.b} ${p.bits}`).join("; ")
        }` +
          (r.opencvDoc
            ? " (consecutive video frames, calibration shots of one chessboard from nearly the same pose, two versions of one logo: near-duplicates a person would group too)."
            : ".")
        : ""),
    ""
  )
  lines.push(
    "Other npm packages on the same files: " +
      r.others.map((o) =>
        `${o.name}'s hash is a median of ${o.median} bits from ours (${o.min} to ${o.max}, ${o.files} files)`
      ).join("; ") +
      ". That is as far as unrelated hashes: hashes stored by those packages cannot be compared with imagehash's (nor ours). sharp-phash" +
      " is another function: it greyscales and resizes to 32x32 with sharp (libvips, after JPEG shrink-on-load), applies EXIF rotation, keeps DCT" +
      " coefficients 1..8 of each axis (not the DC row and column), thresholds at their mean and orders bits column by column;" +
      " imghash is not a DCT hash at all but blockhash (`bmvbhash`, 8x8 blocks of mean brightness).",
    ""
  )
  return lines
}

export const throughputMarkdown = (r: ThroughputReport | string): Array<string> => {
  if (typeof r === "string") return [`Skipped: ${r}.`, ""]
  const [limit, pool, main, sharpPhash, imghash] = r.rows
  const rel = (x: number, of: number) => `${f2(x / of)}x`
  const lines = [
    `Images per second on ${r.cores} cores, from the photos above: *large* = ${r.large.description} (${
      f1(r.large.meanMb)
    } MB`,
    `on average); *small* = ${r.small.description} (${
      f2(r.small.meanMb)
    } MB). Every method reads the same in-memory buffers, one method after`,
    `another, each after one untimed pass${
      r.minMs > 0 ? `, timed over passes for at least ${r.minMs / 1000} s per set` : " (quick run: one timed pass)"
    }.`,
    "",
    "| method | large img/s | small img/s | large vs bare decode | small vs bare decode |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...r.rows.map((x) =>
      `| ${x.method} | ${f1(x.large)} | ${f1(x.small)} | ${rel(x.large, limit!.large)} | ${
        rel(x.small, limit!.small)
      } |`
    ),
    ""
  ]
  if (
    limit === undefined || pool === undefined || main === undefined || sharpPhash === undefined || imghash === undefined
  ) return lines
  const mainMs = 1000 / main.large
  const decodeMs = (1000 * r.cores) / limit.large
  const vs = (a: number, b: number) => (a >= b ? `${f1(a / b)}x faster than` : `${f1(b / a)}x slower than`)
  lines.push(
    `Ours through the pool runs at ${Math.round((pool.large / limit.large) * 100)}% (large) and ${
      Math.round((pool.small / limit.small) * 100)
    }% (small) of sharp's bare decode.`,
    "It decodes with the same sharp call; the rest is the price of imagehash's bits: Pillow's grey conversion and LANCZOS",
    "resample in JavaScript over every decoded pixel (shrinking 4000 px to 32 makes each output pixel read a window of about 750",
    `pixels of its row), then the 8x8 of the DCT. On the main thread a large image takes ${
      f1(mainMs)
    } ms, of which about ${f1(decodeMs)} ms is the`,
    `decode (the bare decode's time per image per core): the other ${
      f1(Math.max(0, mainMs - decodeMs))
    } ms is that pure-JS work.`,
    `The pool is ${f1(pool.large / main.large)}x (large) and ${
      f1(pool.small / main.small)
    }x (small) the main-thread rate with ${r.cores} workers, and keeps that work off the event loop` +
      (pool.large / main.large > r.cores || pool.small / main.small > r.cores
        ? ` (more than ${r.cores}x: on the main thread each decode waits for the previous hash, while a worker's next decode runs in sharp's threads during its hash).`
        : "."),
    "",
    `sharp-phash is ${vs(sharpPhash.large, pool.large).replace("than", "than ours")} on large JPEGs and ${
      vs(sharpPhash.small, pool.small).replace("than", "than ours")
    } on small ones` +
      (sharpPhash.large > limit.large ? ", and even faster than the bare decode on large ones" : "") +
      ": it lets libjpeg decode at 1/2 to 1/8 scale (sharp's shrink-on-load, since it resizes to 32x32 anyway) and greyscales and resizes",
    "in libvips' C. imagehash (Pillow), and so we, resample every full-resolution pixel, and sharp-phash's hashes are not comparable with those (above).",
    `imghash decodes in WebAssembly on the main thread (its concurrency does not help): ours through the pool is ${
      vs(pool.large, imghash.large)
    } it on large`,
    `JPEGs and ${vs(pool.small, imghash.small)} it on small ones.`,
    ""
  )
  return lines
}
