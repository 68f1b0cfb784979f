import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

export interface CollectedSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string | undefined
  readonly name: string
  readonly attributes: Readonly<Record<string, unknown>>
  readonly status: number | undefined
  readonly resource: Readonly<Record<string, unknown>>
}

export interface OtlpCollector {
  readonly url: string
  readonly spans: ReadonlyArray<CollectedSpan>
  /** Every request body received, per path (`/v1/traces`, `/v1/metrics`, `/v1/logs`), as text. */
  readonly bodies: Readonly<Record<string, Array<string>>>
  readonly close: () => Promise<void>
}

type AnyValue = {
  stringValue?: string
  intValue?: string | number
  boolValue?: boolean
  doubleValue?: number
  arrayValue?: { values?: Array<AnyValue> }
}
type KeyValue = { key: string; value: AnyValue }

const valueOf = (v: AnyValue): unknown =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.boolValue ?? v.doubleValue ??
    (v.arrayValue ? (v.arrayValue.values ?? []).map(valueOf) : undefined)

const attributes = (list: Array<KeyValue> | undefined) =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]))

/** An OTLP/HTTP (JSON) collector on 127.0.0.1 that keeps what it receives. */
export const startOtlpCollector = async (): Promise<OtlpCollector> => {
  const spans: Array<CollectedSpan> = []
  const bodies: Record<string, Array<string>> = {}
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8")
      const path = (req.url ?? "/").split("?")[0]!
      ;(bodies[path] ??= []).push(text)
      if (path === "/v1/traces") {
        try {
          const body = JSON.parse(text) as {
            resourceSpans?: Array<
              {
                resource?: { attributes?: Array<KeyValue> }
                scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>
              }
            >
          }
          for (const rs of body.resourceSpans ?? []) {
            const resource = attributes(rs.resource?.attributes)
            for (const ss of rs.scopeSpans ?? []) {
              for (const span of ss.spans ?? []) {
                spans.push({
                  traceId: String(span["traceId"]),
                  spanId: String(span["spanId"]),
                  parentSpanId: span["parentSpanId"] ? String(span["parentSpanId"]) : undefined,
                  name: String(span["name"]),
                  attributes: attributes(span["attributes"] as Array<KeyValue> | undefined),
                  status: (span["status"] as { code?: number } | undefined)?.code,
                  resource
                })
              }
            }
          }
        } catch {
          // kept in bodies for inspection
        }
      }
      res.writeHead(200, { "content-type": "application/json" })
      res.end("{}")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}
