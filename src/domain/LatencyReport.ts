/**
 * Latency report from JSON log lines: per stage (`workflow_timing` fields) and per endpoint
 * (`web_*_ms`), count and percentiles, compared with the targets.
 */
export interface LatencyTarget {
  readonly metric: string
  readonly label: string
  readonly limitMs: number
}

/** The service's latency targets. */
export const TARGETS: ReadonlyArray<LatencyTarget> = [
  { metric: "workflow_total_ms", label: "end to end", limitMs: 30_000 },
  { metric: "caption_generation_ms", label: "caption", limitMs: 3_000 },
  { metric: "publish_parallel_ms", label: "parallel publish", limitMs: 10_000 }
]

export interface LatencyRow {
  readonly metric: string
  readonly kind: "stage" | "endpoint"
  readonly count: number
  readonly p50: number
  readonly p95: number
  readonly p99: number
  readonly max: number
  readonly target?: {
    readonly label: string
    readonly limitMs: number
    readonly breached: boolean
    readonly over: number
  }
  /** Every value, for charts. */
  readonly values: ReadonlyArray<number>
}

export interface LatencyReport {
  readonly lines: number
  readonly skipped: number
  readonly rows: ReadonlyArray<LatencyRow>
  readonly breaches: ReadonlyArray<string>
}

/** Nearest-rank percentile of sorted values. */
export const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!

/** The `*_ms` fields of a log line that are latencies we report (not log-span bookkeeping). */
const latencies = (line: Record<string, unknown>): Array<readonly [string, number, "stage" | "endpoint"]> => {
  const message = typeof line["message"] === "string" ? line["message"] : ""
  const out: Array<readonly [string, number, "stage" | "endpoint"]> = []
  for (const [key, value] of Object.entries(line)) {
    if (!key.endsWith("_ms") || key.includes(".") || typeof value !== "number" || !Number.isFinite(value)) continue
    if (message === "workflow_timing") out.push([key, value, "stage"])
    else if (key.startsWith("web_") && key === `${message}_ms`) out.push([key, value, "endpoint"])
  }
  return out
}

export const latencyReport = (text: string, targets: ReadonlyArray<LatencyTarget> = TARGETS): LatencyReport => {
  const values = new Map<string, { kind: "stage" | "endpoint"; values: Array<number> }>()
  let lines = 0
  let skipped = 0
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === "") continue
    lines++
    let parsed: unknown
    try {
      parsed = JSON.parse(raw)
    } catch {
      skipped++
      continue
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      skipped++
      continue
    }
    for (const [metric, value, kind] of latencies(parsed as Record<string, unknown>)) {
      const entry = values.get(metric) ?? { kind, values: [] }
      entry.values.push(value)
      values.set(metric, entry)
    }
  }
  const rows = [...values].map(([metric, { kind, values }]): LatencyRow => {
    const sorted = [...values].sort((a, b) => a - b)
    const p95 = percentile(sorted, 95)
    const target = targets.find((t) => t.metric === metric)
    return {
      metric,
      kind,
      count: sorted.length,
      p50: percentile(sorted, 50),
      p95,
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? 0,
      ...(target !== undefined
        ? {
          target: {
            label: target.label,
            limitMs: target.limitMs,
            breached: p95 > target.limitMs,
            over: sorted.filter((v) => v > target.limitMs).length
          }
        }
        : {}),
      values: sorted
    }
  }).sort((a, b) => (a.kind === b.kind ? a.metric.localeCompare(b.metric) : a.kind === "stage" ? -1 : 1))
  return {
    lines,
    skipped,
    rows,
    breaches: rows.filter((r) => r.target?.breached).map((r) =>
      `${r.target!.label}: p95 ${r.p95} ms > ${r.target!.limitMs} ms`
    )
  }
}

/** The report as a table for people. */
export const formatLatencyReport = (report: LatencyReport): string => {
  const header = ["metric", "count", "p50", "p95", "p99", "max", "target"]
  const body = report.rows.map((r) => [
    r.metric,
    String(r.count),
    String(r.p50),
    String(r.p95),
    String(r.p99),
    String(r.max),
    r.target ? `${r.target.breached ? "BREACH" : "ok"} (< ${r.target.limitMs} ms, ${r.target.over} over)` : ""
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)))
  const render = (row: ReadonlyArray<string>) =>
    row.map((cell, i) => (i === 0 || i === 6 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")
      .trimEnd()
  return [
    render(header),
    ...body.map(render),
    "",
    `${report.lines} log lines read${report.skipped > 0 ? `, ${report.skipped} not JSON (skipped)` : ""}; ` +
    (report.breaches.length === 0 ? "no target breached" : `targets breached: ${report.breaches.join("; ")}`)
  ].join("\n")
}
