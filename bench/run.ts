import { writeFile } from "node:fs/promises"
import { cpus } from "node:os"
import { endToEndBench, LATENCY } from "./endToEnd.js"
import { FANOUT_LATENCY, fanoutBench } from "./fanout.js"
import { INDEX_RADII, indexBench } from "./hammingIndex.js"
import { hashingBench } from "./hashing.js"
import { phashCorpusBench } from "./phashCorpus.js"
import { conformanceMarkdown, throughputMarkdown } from "./phashReport.js"
import { selectionBench } from "./selection.js"
import { startupBench } from "./startup.js"
import { telemetryBench } from "./telemetry.js"
import { visionBench, type VisionReport } from "./vision.js"
import { WEB_LATENCY, webBench } from "./web.js"

/**
 * `npm run bench`: every scenario measured side by side in one run; results to BENCHMARKS.md.
 * `BENCH_QUICK=1` runs the small sizes only (a smoke test of the harness).
 */
const quick = process.env["BENCH_QUICK"] === "1"
const sizes = quick ? [1_000] : [1_000, 10_000, 100_000]
const baselineMax = quick ? 1_000 : 10_000

const fmt = (ms: number) => ms.toFixed(0)
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const visionMarkdown = (report: VisionReport | string): Array<string> => [
  "## What the vision model is sent",
  "",
  ...(typeof report === "string"
    ? [`Not measured: ${report}.`, ""]
    : [
      `${report.photos} photos of ${report.source} upscaled to 4032x3024 (a phone camera's size), JPEG q92, ${
        report.meanMb.toFixed(2)
      } MB on average`,
      "(upscaled photos compress better than a camera's; a camera's larger files only widen the gap). Each is analyzed through",
      "the real `openai` SDK layer against the OpenAI emulator on loopback, so *call ms* is preparing (libvips cache off), encoding and uploading the",
      "request, not the model's thinking. Medians. *Image tokens* are computed from OpenAI's published rule for the size and",
      "detail sent (`low`: 85; `high`: 85 + 170 per 512 px tile after fitting 2048 px and 768 px on the short side), not measured.",
      "",
      "| sent | image bytes | request bytes | call ms | image tokens |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...report.rows.map((r) =>
        `| ${r.label} | ${r.imageBytes.toLocaleString("en")} | ${r.requestBytes.toLocaleString("en")} | ${
          fmt(r.callMs)
        } | ${r.imageTokens} |`
      ),
      ""
    ])
]

const main = async () => {
  const started = new Date()
  console.error("selection ...")
  const selection = await selectionBench(sizes, baselineMax)
  console.error("end to end ...")
  const e2e = await endToEndBench(quick ? 1 : 3)
  const e2eMedian = median(e2e.runs)
  console.error("fan-out ...")
  const fanout = await fanoutBench(quick ? 1 : 3)
  const singles = fanout.filter((r) => !r.platforms.includes("+")).map((r) => median(r.publishMs))
  const slowest = Math.max(...singles)
  const all = median(fanout.find((r) => r.platforms.includes("+"))!.publishMs)
  console.error("telemetry ...")
  const telemetry = await telemetryBench(quick ? 5 : 40)
  console.error("web ...")
  const web = await webBench(quick ? 2 : 10)
  console.error("perceptual hash: conformance on real photos ...")
  const conformance = await phashCorpusBench(quick)
  console.error("perceptual hash: throughput ...")
  const hashing = await hashingBench(quick)
  console.error("vision requests ...")
  const vision = await visionBench(quick)
  console.error("CLI start-up ...")
  const startup = startupBench(quick ? 3 : 11)
  console.error("Hamming index ...")
  const indexSizes = quick ? [100_000] : [100_000, 1_000_000]
  const [indexQueries, bkQueries] = quick ? [200, 10] : [2_000, 50]
  const index = indexBench(indexSizes, indexQueries, bkQueries)

  const lines = [
    "# Benchmarks",
    "",
    `Produced by \`npm run bench\` (\`node --expose-gc --import tsx bench/run.ts\`) on ${
      started.toISOString().slice(0, 10)
    }, Node ${process.version},`,
    `${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}). Everything runs in one process against the`,
    "sandbox emulators on loopback, through the real SDK layers (dropbox, openai, fetch) and SQLite state.",
    "",
    "## Selecting an unposted image",
    "",
    "A folder of N synthetic images of which 90% or 100% are already posted (in State). *publisher*:",
    "list every page (with `content_hash`), select in memory, download only the chosen image, in",
    "`--preview` mode with zero-latency emulators. *download-to-hash baseline*: list,",
    "then download images in random order and SHA-256 them until one is unposted (run up to",
    `${baselineMax.toLocaleString("en")} images; beyond that it would download the whole folder).`,
    "",
    "| images | posted | strategy | Dropbox API calls | downloads | ms |",
    "| ---: | ---: | --- | ---: | ---: | ---: |",
    ...selection.map((r) =>
      `| ${r.images.toLocaleString("en")} | ${r.posted} | ${r.strategy} | ${r.apiCalls} | ${r.downloads} | ${
        fmt(r.ms)
      } |`
    ),
    "",
    "With 100% posted, publisher answers \"no new images\" from the list pages alone: zero downloads.",
    "",
    "## One post end to end, with realistic latencies",
    "",
    "Emulator latencies (ms): " + Object.entries(LATENCY).map(([k, v]) => `${k} ${v}`).join(", ") +
    " (move applies to the batch move and to its completion check).",
    `Critical path of the dependent calls: list + download + vision + caption + max(sidecar upload, Telegram) + move = **${e2e.criticalPath} ms**.`,
    "",
    "| runs | median ms | min ms | max ms | overhead above critical path (median) |",
    "| ---: | ---: | ---: | ---: | ---: |",
    `| ${e2e.runs.length} | ${fmt(e2eMedian)} | ${fmt(Math.min(...e2e.runs))} | ${fmt(Math.max(...e2e.runs))} | ${
      fmt(e2eMedian - e2e.criticalPath)
    } ms (${((e2eMedian / e2e.criticalPath - 1) * 100).toFixed(1)}%) |`,
    "",
    "Stage timings of the last run (the `workflow_timing` fields): " +
    Object.entries(e2e.timings).map(([k, v]) => `\`${k}\`=${v}`).join(", ") + ".",
    "",
    "The overhead includes the batch-move completion check (one more 150 ms round trip that Dropbox's",
    "asynchronous batch API requires), the perceptual hash of the downloaded image (`phash_ms`: the",
    "near-duplicate check has to come before the AI calls it may save), the token refresh, process-local",
    "work (sidecar rendering, SQLite writes) and loopback HTTP.",
    "",
    "## Publishing fan-out",
    "",
    "`publish_parallel_ms` of one post to each platform alone and to all three at once (fresh emulators each",
    `run, ${
      quick ? 1 : 3
    } runs each, median). Latencies (ms): Telegram sendPhoto ${FANOUT_LATENCY.telegram}; Graph API media container`,
    `${FANOUT_LATENCY.container}, two status polls of ${FANOUT_LATENCY.statusPoll} (the client waits 300 ms between them), media_publish`,
    `${FANOUT_LATENCY.publish}; SMTP ${FANOUT_LATENCY.smtp}. The limit of a parallel fan-out is the slowest single platform.`,
    "",
    "| platforms | publish ms (median) | runs |",
    "| --- | ---: | --- |",
    ...fanout.map((r) => `| ${r.platforms} | ${fmt(median(r.publishMs))} | ${r.publishMs.map(fmt).join(", ")} |`),
    "",
    `All three at once: **${fmt(all)} ms** against the slowest single platform's ${fmt(slowest)} ms ` +
    `(${fmt(all - slowest)} ms above the limit; the sequential sum would be ${
      fmt(singles.reduce((a, b) => a + b, 0))
    } ms).`,
    "",
    "## Admin API under load",
    "",
    `autocannon, 10 connections, ${
      quick ? 2 : 10
    } s per scenario, against \`publisher serve\` on loopback with 8 images`,
    `(all with sidecars). Dropbox latencies (ms): list ${WEB_LATENCY.list}, temporary link ${WEB_LATENCY.temporaryLink}, download ${WEB_LATENCY.download}.`,
    "The publisher_v2 row runs its call sequence for a random image (list, temporary link, sidecar download,",
    "image download, one after another) through the same Storage layer with 10 concurrent workers.",
    "",
    "| scenario | req/s | p50 ms | p99 ms | requests | Dropbox calls / request | OpenAI calls / request |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...web.map((r) =>
      `| ${r.scenario} | ${r.rps.toFixed(1)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.requests} | ${
        r.dropboxCallsPerRequest.toFixed(2)
      } | ${r.openAiCallsPerRequest.toFixed(2)} |`
    ),
    "",
    "A warm random image costs one round trip (temporary link and sidecar read run together); analyze",
    "with a sidecar costs one sidecar read and no AI call.",
    "",
    "## Cost of telemetry",
    "",
    `The same in-process workflow, ${telemetry.runs} posts after a warm-up, zero-latency emulators (Telegram only): tracing off`,
    "(Effect's tracer disabled, nothing exported) against on (traces, metrics and logs exported over OTLP/HTTP to a local",
    "collector).",
    "",
    "| tracing | ms per post | spans per post | cost per span |",
    "| --- | ---: | ---: | ---: |",
    `| off | ${telemetry.offMsPerRun.toFixed(1)} | 0 | |`,
    `| on (OTLP) | ${telemetry.onMsPerRun.toFixed(1)} | ${telemetry.spansPerRun.toFixed(1)} | ${
      telemetry.usPerSpan.toFixed(0)
    } µs |`,
    "",
    "Per post, the difference is within the run-to-run noise of loopback I/O (it can come out negative). The cost of",
    "one span, measured apart (20,000 spans with three attributes each, after a warm-up pass):",
    "",
    "| tracing | µs per span |",
    "| --- | ---: |",
    `| off | ${telemetry.microOffUs.toFixed(2)} |`,
    `| on (OTLP export) | ${telemetry.microOnUs.toFixed(2)} |`,
    "",
    "## Perceptual hash: conformance on real photos",
    "",
    ...conformanceMarkdown(conformance),
    "## Perceptual hash: throughput",
    "",
    ...throughputMarkdown(hashing),
    ...visionMarkdown(vision),
    "## CLI start-up",
    "",
    "Wall time from `node <file> <command>` to exit, the shipped bundle (one esbuild file, native packages",
    "outside) against the same sources compiled module by module with tsc (what `dist/` held before),",
    `median of ${
      startup[0]?.runs.length ?? 0
    } runs each after a warm-up run. Most of a command's start is loading modules.`,
    "",
    "| command | build | median ms | runs (ms) |",
    "| --- | --- | ---: | --- |",
    ...startup.map((r) =>
      `| \`publisher ${r.command}\` | ${r.build} | ${fmt(r.medianMs)} | ${r.runs.map(fmt).join(", ")} |`
    ),
    "",
    "## Hamming index",
    "",
    "Exact radius search over N random 64-bit codes of which a tenth are near copies of earlier ones (2 to 3 bits",
    "flipped, as re-exports in a library are); half the queries are near copies of stored codes, half random.",
    `Multi-index hashing (\`src/domain/HammingIndex.ts\`: four 16-bit substrings, each probed within floor(r/4)) answers ${
      indexQueries.toLocaleString("en")
    }`,
    `queries per radius; the linear scan (two \`Uint32Array\`s, popcount) a twentieth of them; the BK-tree (\`bench/bkTree.ts\`) ${bkQueries}.`,
    `*Same as scan*: ids and distances equal to the linear scan's on the first ${bkQueries} queries at every radius (100% recall).`,
    "Memory: the index's typed arrays; the BK-tree's heap growth while it was built (after a forced GC).",
    "",
    `| codes | structure | build ms | memory MB | ${
      INDEX_RADII.map((r) => `µs/query r=${r}`).join(" | ")
    } | hits/query r=${INDEX_RADII.at(-1)} | same as scan |`,
    `| ---: | --- | ---: | ---: | ${INDEX_RADII.map(() => "---:").join(" | ")} | ---: | --- |`,
    ...index.map((row) =>
      `| ${row.codes.toLocaleString("en")} | ${row.structure} | ${row.buildMs === 0 ? "-" : fmt(row.buildMs)} | ${
        row.memoryMb.toFixed(0)
      } | ` +
      `${
        INDEX_RADII.map((r) => {
          const us = row.queryUs[r]!
          return us >= 1000 ? us.toFixed(0) : us.toFixed(1)
        }).join(" | ")
      } | ${row.hits.toFixed(1)} | ${row.exact ? "yes" : "**no**"} |`
    ),
    ""
  ]
  const text = lines.join("\n")
  if (!quick) await writeFile(new URL("../BENCHMARKS.md", import.meta.url), text)
  console.log(text)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
