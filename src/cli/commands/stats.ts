import { Args, Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Effect, Option } from "effect"
import { UsageError } from "../../domain/Errors.js"
import { formatLatencyReport, latencyReport } from "../../domain/LatencyReport.js"
import { renderStatsHtml } from "../statsHtml.js"

const files = Args.file({ name: "FILE", exists: "yes" }).pipe(
  Args.withDescription("JSON log files (stdin when none)"),
  Args.repeated
)
const json = Options.boolean("json").pipe(Options.withDescription("Print the report as JSON"))
const html = Options.file("html").pipe(
  Options.withDescription("Also write an HTML report with a latency chart per stage"),
  Options.optional
)

const readStdin = Effect.promise(async () => {
  const chunks: Array<Buffer> = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString("utf8")
})

export const statsCommand = Command.make("stats", { files, json, html }, (args) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const texts = args.files.length === 0
      ? [yield* readStdin]
      : yield* Effect.forEach(args.files, (file) =>
        fs.readFileString(file).pipe(Effect.mapError((e) =>
          new UsageError({ message: `cannot read ${file}: ${e.message}` })
        )))
    const report = latencyReport(texts.join("\n"))
    if (report.rows.length === 0) {
      return yield* new UsageError({
        message:
          "no latency fields (*_ms of workflow_timing or web_* lines) in the input: is it a JSON log (LOG_FORMAT=json)?"
      })
    }
    yield* Console.log(
      args.json
        ? JSON.stringify({
          ...report,
          rows: report.rows.map(({ values: _values, ...row }) =>
            row
          )
        })
        : formatLatencyReport(report)
    )
    if (Option.isSome(args.html)) {
      const path = args.html.value
      yield* Effect.promise(() => renderStatsHtml(report)).pipe(
        Effect.flatMap((page) => fs.writeFileString(path, page)),
        Effect.mapError((e) => new UsageError({ message: `cannot write ${path}: ${e.message}` }))
      )
    }
  })).pipe(
    Command.withDescription(
      "Latency report from JSON logs: per stage and endpoint count, p50, p95, p99, max, against the targets"
    )
  )
