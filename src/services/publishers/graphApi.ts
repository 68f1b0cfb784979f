import { Effect, Redacted, Schema } from "effect"
import { PublishError } from "../../domain/Errors.js"
import { hostOf, NOT_JSON, notJsonWords, parseJsonBody } from "../httpAnswer.js"
import { parseRetryAfter } from "../retry.js"

/** The Graph API's error body. */
const GraphErrorBody = Schema.Struct({
  error: Schema.Struct({
    message: Schema.String,
    type: Schema.optional(Schema.String),
    code: Schema.optional(Schema.Number),
    error_subcode: Schema.optional(Schema.Number),
    is_transient: Schema.optional(Schema.Boolean),
    error_user_msg: Schema.optional(Schema.String)
  })
})
const decodeError = Schema.decodeUnknownOption(GraphErrorBody)

/** Graph API codes that mean "try again later" (throttling, temporary outages). */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 341, 368, 613])

export interface GraphClient {
  readonly call: (
    method: "GET" | "POST",
    path: string,
    params: Record<string, string>,
    operation: string
  ) => Effect.Effect<Record<string, unknown>, PublishError>
}

/**
 * Minimal Graph API client: bearer token in the header (never in a URL that could be logged),
 * form-encoded POSTs, errors turned into PublishError with the platform's own message.
 * Errors are never `uncertain` here: the caller decides that per operation.
 */
export const makeGraphClient = (baseUrl: string, token: Redacted.Redacted, timeoutSeconds: number): GraphClient => ({
  call: (method, path, params, operation) =>
    Effect.tryPromise({
      try: async (signal) => {
        const query = new URLSearchParams(params).toString()
        const url = `${baseUrl.replace(/\/+$/, "")}/${path}${method === "GET" && query ? `?${query}` : ""}`
        const response = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${Redacted.value(token)}`,
            ...(method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : {})
          },
          ...(method === "POST" ? { body: query } : {}),
          signal
        })
        const body = parseJsonBody(await response.text())
        return {
          status: response.status,
          body,
          retryAfter: response.headers.get("retry-after"),
          host: hostOf(response.url || url)
        }
      },
      catch: (cause) =>
        new PublishError({
          platform: "instagram",
          message: `instagram ${operation}: connection failed (${
            (cause as { cause?: { code?: string } }).cause?.code ?? (cause instanceof Error ? cause.name : "error")
          })`,
          transient: true
        })
    }).pipe(
      Effect.timeoutFail({
        duration: `${timeoutSeconds} seconds`,
        onTimeout: () =>
          new PublishError({ platform: "instagram", message: `instagram ${operation}: timed out`, transient: true })
      }),
      Effect.flatMap(({ body, host, retryAfter, status }) => {
        if (status >= 200 && status < 300 && typeof body === "object" && body !== null) {
          return Effect.succeed(body as Record<string, unknown>)
        }
        const error = decodeError(body)
        const detail = error._tag === "Some" ? error.value.error : undefined
        // A page that is not JSON (a proxy's HTML 502/503) is named by what came back; it is
        // classified like any answer without a Graph error body (by its status).
        const fallback = body === NOT_JSON ? notJsonWords(status, host) : `HTTP ${status}`
        return Effect.fail(
          new PublishError({
            platform: "instagram",
            message: `instagram ${operation}: ${detail?.error_user_msg ?? detail?.message ?? fallback}${
              detail?.code !== undefined
                ? ` (code ${detail.code}${detail.error_subcode !== undefined ? `/${detail.error_subcode}` : ""})`
                : ""
            }`,
            status,
            transient: detail?.is_transient === true ||
              (detail?.code !== undefined && TRANSIENT_CODES.has(detail.code)) || status === 429 || status >= 500,
            retryAfterMs: parseRetryAfter(retryAfter)
          })
        )
      })
    )
})
