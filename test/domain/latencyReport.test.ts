import { describe, expect, it } from "@effect/vitest"
import { formatLatencyReport, latencyReport, percentile } from "../../src/domain/LatencyReport.js"

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ timestamp: "2026-01-01T00:00:00Z", level: "INFO", ...fields })

describe("latency report", () => {
  it("nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1)
    expect([percentile(values, 50), percentile(values, 95), percentile(values, 99), percentile(values, 100)]).toEqual([
      50,
      95,
      99,
      100
    ])
    expect(percentile([7], 99)).toBe(7)
  })

  it("reads workflow_timing stages and web endpoint timings, skips the rest, marks breaches", () => {
    const text = [
      ...Array.from(
        { length: 20 },
        (_, i) =>
          line({
            message: "workflow_timing",
            caption_generation_ms: i < 18 ? 900 : 4000,
            publish_parallel_ms: 400,
            workflow_total_ms: 5000,
            "http.span.1_ms": 3
          })
      ),
      line({ message: "web_random_image", web_random_image_ms: 12, correlation_id: "x" }),
      line({ message: "Sent HTTP response", "http.span.1_ms": 5 }),
      "not json at all",
      ""
    ].join("\n")
    const report = latencyReport(text)
    expect(report.lines).toBe(23)
    expect(report.skipped).toBe(1)
    expect(report.rows.map((r) => [r.metric, r.kind, r.count])).toEqual([
      ["caption_generation_ms", "stage", 20],
      ["publish_parallel_ms", "stage", 20],
      ["workflow_total_ms", "stage", 20],
      ["web_random_image_ms", "endpoint", 1]
    ])
    const caption = report.rows[0]!
    expect(caption.p95).toBe(4000)
    expect(caption.target).toEqual({ label: "caption", limitMs: 3000, breached: true, over: 2 })
    expect(report.breaches).toEqual(["caption: p95 4000 ms > 3000 ms"])
    expect(formatLatencyReport(report)).toMatch(/caption_generation_ms\s+20\s+900\s+4000\s+4000\s+4000\s+BREACH/)
  })
})
