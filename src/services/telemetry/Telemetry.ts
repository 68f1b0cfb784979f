import { Otlp, OtlpSerialization } from "@effect/opentelemetry"
import { FetchHttpClient } from "@effect/platform"
import { Config, Effect, Layer, Option } from "effect"
import { VERSION } from "../../cli/version.js"

/** `OTEL_RESOURCE_ATTRIBUTES`: `key=value,key2=value2` (values percent-decoded, as the spec says). */
export const parseResourceAttributes = (text: string): Record<string, string> =>
  Object.fromEntries(
    text.split(",").map((pair) => pair.trim()).filter((pair) => pair.includes("=")).map((pair) => {
      const at = pair.indexOf("=")
      const decode = (s: string) => {
        try {
          return decodeURIComponent(s.trim())
        } catch {
          return s.trim()
        }
      }
      return [decode(pair.slice(0, at)), decode(pair.slice(at + 1))] as const
    }).filter(([key]) => key !== "")
  )

export const TelemetryConfig = Config.all({
  endpoint: Config.option(Config.string("OTEL_EXPORTER_OTLP_ENDPOINT")).pipe(
    Config.map(Option.filter((s) => s.trim() !== ""))
  ),
  serviceName: Config.string("OTEL_SERVICE_NAME").pipe(Config.withDefault("publisher")),
  attributes: Config.string("OTEL_RESOURCE_ATTRIBUTES").pipe(
    Config.withDefault(""),
    Config.map(parseResourceAttributes)
  )
})

/**
 * Traces, metrics and logs over OTLP/HTTP (JSON) when `OTEL_EXPORTER_OTLP_ENDPOINT` is set;
 * nothing at all otherwise. Exports are batched and flushed when the layer's scope closes (the
 * CLI closes it before exiting).
 */
export const TelemetryLive = Layer.unwrapEffect(
  Effect.gen(function*() {
    const config = yield* TelemetryConfig
    if (Option.isNone(config.endpoint)) return Layer.empty
    return Otlp.layer({
      baseUrl: config.endpoint.value,
      resource: { serviceName: config.serviceName, serviceVersion: VERSION, attributes: config.attributes },
      tracerExportInterval: "2 seconds",
      metricsExportInterval: "10 seconds",
      shutdownTimeout: "5 seconds"
    }).pipe(Layer.provide(FetchHttpClient.layer), Layer.provide(OtlpSerialization.layerJson))
  })
)
