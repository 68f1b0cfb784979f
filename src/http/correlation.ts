import { HttpApp, HttpIncomingMessage, HttpMiddleware, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, FiberRef, Option } from "effect"

/** Request bodies are small JSON documents: anything larger is refused. */
export const MAX_BODY_BYTES = 64 * 1024

/**
 * How much of a body without a declared length (chunked) is read before the connection is cut:
 * enough to read an oversized body to its end and answer 413 (the edge's check), instead of a
 * reset mid-request.
 */
export const MAX_READ_BYTES = 1024 * 1024

/** The correlation id of the request being served. */
export const correlationIdRef = FiberRef.unsafeMake("")
export const currentCorrelationId = FiberRef.get(correlationIdRef)

const SANE = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Every request gets a correlation id: `X-Request-ID` when it is a sane token, else a UUID v4.
 * It is on every log line and span of the request and echoed as `X-Correlation-ID`. Bodies are
 * limited to {@link MAX_BODY_BYTES}: by their declared length up front, and once read (the edge).
 */
export const correlationMiddleware = HttpMiddleware.make((app) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const given = request.headers["x-request-id"]
    const id = given !== undefined && SANE.test(given) ? given : crypto.randomUUID()
    // A pre-response handler also reaches responses made from failures.
    yield* HttpApp.appendPreResponseHandler((_request, response) =>
      Effect.succeed(HttpServerResponse.setHeader(response, "x-correlation-id", id))
    )
    const length = Number(request.headers["content-length"] ?? "0")
    const guarded = length > MAX_BODY_BYTES
      ? HttpServerResponse.json({ error: "Request body too large", detail: `at most ${MAX_BODY_BYTES} bytes` }, {
        status: 413
      }).pipe(Effect.orDie)
      : app
    return yield* HttpMiddleware.logger(guarded).pipe(
      HttpIncomingMessage.withMaxBodySize(Option.some(MAX_READ_BYTES)),
      Effect.locally(correlationIdRef, id),
      Effect.annotateLogs("correlation_id", id),
      Effect.annotateSpans("correlation_id", id)
    )
  })
)
