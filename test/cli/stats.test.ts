import { describe, expect, it } from "@effect/vitest"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { cli } from "../support/cli.js"
import { useTempDirs } from "../support/tempDir.js"

const tempDir = useTempDirs()

describe("publisher stats on logs of real sandbox runs", () => {
  it("reports each stage with percentiles and targets; --json; --html with a chart per stage", async () => {
    const dir = await tempDir("publisher-stats-")
    const sandbox = await cli(["sandbox", "--images", "3", "--runs", "3"], { LOG_FORMAT: "json" })
    expect(sandbox.code).toBe(0)
    const logFile = join(dir, "publisher.log")
    await writeFile(logFile, sandbox.stderr)

    const table = await cli(["stats", logFile])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/vision_analysis_ms\s+3\s/)
    expect(table.stdout).toMatch(/caption_generation_ms\s+3\s.*ok \(< 3000 ms/)
    expect(table.stdout).toMatch(/no target breached/)

    const json = await cli(["stats", "--json", logFile])
    const report = JSON.parse(json.stdout) as {
      rows: Array<{ metric: string; count: number; target?: { breached: boolean } }>
    }
    expect(report.rows.find((r) => r.metric === "workflow_total_ms")).toMatchObject({
      count: 3,
      target: { breached: false }
    })

    const htmlFile = join(dir, "report.html")
    const html = await cli(["stats", "--html", htmlFile, logFile])
    expect(html.code).toBe(0)
    const page = await readFile(htmlFile, "utf8")
    expect(page).toContain("<canvas id=\"chart-0\"")
    expect(page).toMatch(/new Chart\(/)
    expect(page.length).toBeGreaterThan(100_000) // Chart.js is inlined: the report works offline

    const empty = join(dir, "empty.log")
    await writeFile(empty, "hello\n")
    expect((await cli(["stats", empty])).code).toBe(2)
  }, 120_000)
})
