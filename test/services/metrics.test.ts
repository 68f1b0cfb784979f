import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, MetricBoundaries } from "effect"
import { publishOne } from "../../src/programs/publishOne.js"
import { renderPrometheus } from "../../src/services/telemetry/prometheus.js"
import { image, makeFakes } from "../support/fakes.js"

const valueOf = (text: string, line: RegExp) => Number(line.exec(text)?.[1] ?? "0")

describe("metrics", () => {
  it.effect("renders counters and histograms in the Prometheus text format", () =>
    Effect.gen(function*() {
      const counter = Metric.counter("test_render_total", { description: "a test counter" })
      const histogram = Metric.histogram("test_render_ms", MetricBoundaries.fromIterable([10, 100]))
      yield* Metric.incrementBy(Metric.tagged(counter, "kind", "a\"b"), 3)
      yield* Metric.update(histogram, 5)
      yield* Metric.update(histogram, 50)
      const text = renderPrometheus((yield* Metric.snapshot).filter((p) => p.metricKey.name.startsWith("test_render")))
      expect(text).toContain(
        "# HELP test_render_total a test counter\n# TYPE test_render_total counter\ntest_render_total{kind=\"a\\\"b\"} 3"
      )
      expect(text).toContain("test_render_ms_bucket{le=\"10\"} 1")
      expect(text).toContain("test_render_ms_bucket{le=\"100\"} 2")
      expect(text).toContain("test_render_ms_bucket{le=\"+Inf\"} 2")
      expect(text).toContain("test_render_ms_sum 55")
      expect(text).toContain("test_render_ms_count 2")
    }))

  it.effect("a run counts stage durations, downloads and publish outcomes per platform", () =>
    Effect.gen(function*() {
      const read = Effect.map(Metric.snapshot, renderPrometheus)
      const before = yield* read
      const { layer } = makeFakes({ images: [image("a.jpg")], platforms: ["telegram", "email"], failing: ["email"] })
      yield* publishOne({
        correlationId: "m-1",
        folder: "/photos",
        archiveFolder: "/photos/archive",
        dryPublish: false,
        preview: false,
        maxAttempts: 3
      }).pipe(Effect.provide(layer))
      const after = yield* read
      const delta = (line: RegExp) => valueOf(after, line) - valueOf(before, line)
      expect(delta(/publisher_publish_total\{platform="telegram",status="published"\} (\d+)/)).toBe(1)
      expect(delta(/publisher_publish_total\{platform="email",status="failed"\} (\d+)/)).toBe(1)
      expect(delta(/publisher_image_downloads_total (\d+)/)).toBe(1)
      expect(delta(/publisher_stage_duration_ms_count\{stage="vision_analysis"\} (\d+)/)).toBe(1)
      expect(delta(/publisher_stage_duration_ms_count\{stage="publish_parallel"\} (\d+)/)).toBe(1)
    }))
})
