import { ConfigProvider, Effect, Layer, Logger, LogLevel } from "effect"
import { appLayer } from "../src/cli/layers.js"
import { startOtlpCollector } from "../src/sandbox/otlp.js"
import { TelemetryLive } from "../src/services/telemetry/Telemetry.js"
import { runWorkflow, startRig } from "./harness.js"

export interface TelemetryCost {
  /** Microseconds per span of a tight loop of spans (with attributes), off and on. */
  readonly microOffUs: number
  readonly microOnUs: number
  readonly runs: number
  readonly offMsPerRun: number
  readonly onMsPerRun: number
  readonly spansPerRun: number
  readonly usPerSpan: number
}

/**
 * The same in-process workflow (zero-latency emulators, Telegram only, synthetic images) with
 * tracing off (Effect's tracer disabled, nothing exported) and on (OTLP export of traces,
 * metrics and logs to a local collector), `runs` posts each after one warm-up. A difference
 * within noise can come out negative: the table reports it as measured.
 */
export const telemetryBench = async (runs: number): Promise<TelemetryCost> => {
  const measure = async (on: boolean) => {
    const rig = await startRig()
    const collector = await startOtlpCollector()
    try {
      rig.dropbox.files.addSynthetic("/Photos", runs + 1)
      // Synthetic files are not decodable images: the vision model gets them as they are.
      rig.config.set("VISION_MAX_DIMENSION", "0")
      rig.config.set("INSTAGRAM_ENABLED", "false")
      rig.config.set("EMAIL_ENABLED", "false")
      if (on) rig.config.set("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url)
      const program = Effect.gen(function*() {
        yield* runWorkflow()
        const started = performance.now()
        for (let i = 0; i < runs; i++) yield* runWorkflow()
        return performance.now() - started
      }).pipe(
        Effect.provide(appLayer({ publish: true })),
        Effect.provide(on ? TelemetryLive : Layer.empty),
        Effect.provide(Layer.setConfigProvider(ConfigProvider.fromMap(rig.config))),
        Logger.withMinimumLogLevel(LogLevel.None),
        on ? (e) => e : Effect.withTracerEnabled(false),
        Effect.scoped
      )
      const ms = await Effect.runPromise(program as Effect.Effect<number>)
      return { ms, spans: collector.spans.length }
    } finally {
      await collector.close()
      await rig.close()
    }
  }
  // A first pass warms the JIT; then off and on alternate, twice each, and are averaged.
  await measure(false)
  const results = { off: [] as Array<number>, on: [] as Array<number>, spans: 0 }
  for (const on of [false, true, false, true]) {
    const r = await measure(on)
    results[on ? "on" : "off"].push(r.ms)
    if (on) results.spans = r.spans
  }
  const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length
  const micro = await spanLoop()
  const offMs = mean(results.off)
  const onMs = mean(results.on)
  const spansPerRun = results.spans / (runs + 1)
  return {
    microOffUs: micro.off,
    microOnUs: micro.on,
    runs,
    offMsPerRun: offMs / runs,
    onMsPerRun: onMs / runs,
    spansPerRun,
    usPerSpan: spansPerRun > 0 ? (((onMs - offMs) / runs) * 1000) / spansPerRun : Number.NaN
  }
}

/** 20,000 spans with three attributes each, tracer off and OTLP tracer on: µs per span. */
const spanLoop = async () => {
  const count = 20_000
  const loop = Effect.forEach(
    Array.from({ length: count }, (_, i) => i),
    (i) =>
      Effect.void.pipe(
        Effect.withSpan("bench.span", {
          attributes: { correlation_id: "c0ffee", image: `photo-${i}.jpg`, platform: "telegram" }
        })
      ),
    { discard: true }
  )
  const time = async (on: boolean) => {
    const collector = await startOtlpCollector()
    try {
      const program = Effect.gen(function*() {
        yield* loop
        const started = performance.now()
        yield* loop
        return performance.now() - started
      }).pipe(
        on ? Effect.provide(TelemetryLive) : Effect.withTracerEnabled(false),
        Effect.provide(
          Layer.setConfigProvider(
            ConfigProvider.fromMap(new Map(on ? [["OTEL_EXPORTER_OTLP_ENDPOINT", collector.url]] : []))
          )
        ),
        Logger.withMinimumLogLevel(LogLevel.None),
        Effect.scoped
      )
      return ((await Effect.runPromise(program as Effect.Effect<number>)) * 1000) / count
    } finally {
      await collector.close()
    }
  }
  await time(false)
  return { off: await time(false), on: await time(true) }
}
