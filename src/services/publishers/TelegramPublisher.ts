import { Config, Effect, Redacted, Schema } from "effect"
import { formatCaption } from "../../domain/Caption.js"
import { PublishError } from "../../domain/Errors.js"
import { hostOf, NOT_JSON, notJsonWords, parseJsonBody } from "../httpAnswer.js"
import { parseRetryAfter, retryTransient } from "../retry.js"
import type { PlatformPublisher, Post } from "./Publisher.js"
import { telegramPhoto } from "./telegramImage.js"

export const TelegramConfig = Config.all({
  token: Config.redacted("TELEGRAM_BOT_TOKEN"),
  channelId: Config.string("TELEGRAM_CHANNEL_ID"),
  apiUrl: Config.string("TELEGRAM_API_URL").pipe(Config.withDefault("https://api.telegram.org")),
  timeoutSeconds: Config.integer("TELEGRAM_TIMEOUT_SECONDS").pipe(Config.withDefault(60))
})

const TelegramReply = Schema.Struct({
  ok: Schema.Boolean,
  result: Schema.optional(Schema.Struct({ message_id: Schema.Number })),
  error_code: Schema.optional(Schema.Number),
  description: Schema.optional(Schema.String),
  parameters: Schema.optional(Schema.Struct({ retry_after: Schema.optional(Schema.Number) }))
})
const decodeReply = Schema.decodeUnknown(TelegramReply)

const PLATFORM = "telegram"

/**
 * Only answers that prove nothing was posted are retried: 429 (and other 4xx are permanent).
 * A 5xx, a timeout or a connection lost after sending may hide a live post: uncertain, never
 * retried automatically (the Bot API offers no way to look the message up).
 */
const failure = (message: string, status: number, retryAfterMs?: number) =>
  new PublishError({
    platform: PLATFORM,
    message,
    status,
    transient: status === 429,
    uncertain: status >= 500,
    retryAfterMs
  })

/** Refused or unresolved connections never reached Telegram: safe to retry. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"])

const networkFailure = (cause: unknown): PublishError => {
  const code = (cause as { cause?: { code?: string } } | undefined)?.cause?.code
  const notSent = code !== undefined && NOT_SENT.has(code)
  return new PublishError({
    platform: PLATFORM,
    message: notSent
      ? `sendPhoto: Telegram unreachable (${code})`
      : `sendPhoto: connection lost (${code ?? "network error"}); the photo may have been posted`,
    transient: notSent,
    uncertain: !notSent
  })
}

/** Posts the photo to a channel with Bot API `sendPhoto` (multipart upload of the bytes). */
export const makeTelegramPublisher = Effect.gen(function*() {
  const config = yield* TelegramConfig
  const base = config.apiUrl.replace(/\/+$/, "")

  const sendPhoto = (post: Post, photo: { readonly bytes: Uint8Array; readonly mimeType: string }) =>
    Effect.tryPromise({
      try: async (signal) => {
        const form = new FormData()
        form.set("chat_id", config.channelId)
        form.set("caption", formatCaption("telegram", post.captions.caption))
        form.set("photo", new Blob([photo.bytes], { type: photo.mimeType }), post.image.name)
        // The token is part of the URL by the Bot API's design; it never reaches a log or error.
        const response = await fetch(`${base}/bot${Redacted.value(config.token)}/sendPhoto`, {
          method: "POST",
          body: form,
          signal
        })
        // Read as text: a connection lost mid-body still fails here (networkFailure), while a
        // page that is not JSON (a proxy's HTML 502/503) is told apart below by what it is.
        const text = await response.text()
        return {
          status: response.status,
          retryAfter: response.headers.get("retry-after"),
          body: parseJsonBody(text),
          host: hostOf(response.url || base)
        }
      },
      catch: networkFailure
    }).pipe(
      Effect.timeoutFail({
        duration: `${config.timeoutSeconds} seconds`,
        onTimeout: () =>
          new PublishError({
            platform: PLATFORM,
            message: "sendPhoto timed out; the photo may have been posted",
            transient: false,
            uncertain: true
          })
      }),
      Effect.flatMap(({ body, host, retryAfter, status }) =>
        body === NOT_JSON
          // Not Telegram's JSON (a proxy's page): it may have posted. Classified as before (as a
          // lost connection: uncertain, never retried), in words that say what came back.
          ? Effect.fail(
            new PublishError({
              platform: PLATFORM,
              message: `sendPhoto: ${notJsonWords(status, host)}; the photo may have been posted`,
              status,
              transient: false,
              uncertain: true
            })
          )
          : decodeReply(body).pipe(
            Effect.mapError(() => failure(`sendPhoto: unexpected reply (HTTP ${status})`, status)),
            Effect.flatMap((reply) =>
              reply.ok && reply.result !== undefined
                ? Effect.succeed({ platform: PLATFORM, postId: String(reply.result.message_id) })
                : Effect.fail(failure(
                  `Telegram: ${reply.description ?? "request failed"}`,
                  reply.error_code ?? status,
                  reply.parameters?.retry_after !== undefined
                    ? reply.parameters.retry_after * 1000
                    : parseRetryAfter(retryAfter)
                ))
            )
          )
      ),
      retryTransient(),
      Effect.withSpan("publish.telegram", { attributes: { platform: PLATFORM, image: post.image.name } })
    )

  const publish = (post: Post) =>
    telegramPhoto(post.bytes, post.mimeType).pipe(Effect.flatMap((photo) => sendPhoto(post, photo)))

  /** A read-only Bot API method; its `result`, or a permanent PublishError with Telegram's words. */
  const ask = (method: string, params: Record<string, string>) =>
    Effect.tryPromise({
      try: async (signal) => {
        const query = new URLSearchParams(params).toString()
        const response = await fetch(
          `${base}/bot${Redacted.value(config.token)}/${method}${query ? `?${query}` : ""}`,
          { signal }
        )
        const text = await response.text()
        return { status: response.status, body: parseJsonBody(text), host: hostOf(response.url || base) }
      },
      catch: (cause) =>
        new PublishError({
          platform: PLATFORM,
          message: `${method}: ${networkFailure(cause).message.replace(/^sendPhoto: /, "")}`,
          transient: true
        })
    }).pipe(
      Effect.timeoutFail({
        duration: `${config.timeoutSeconds} seconds`,
        onTimeout: () => new PublishError({ platform: PLATFORM, message: `${method} timed out`, transient: true })
      }),
      Effect.flatMap(({ body, host, status }) => {
        // Not JSON (a proxy's page): retried as before (as a lost connection), in its own words.
        if (body === NOT_JSON) {
          return Effect.fail(
            new PublishError({
              platform: PLATFORM,
              message: `Telegram ${method}: ${notJsonWords(status, host)}`,
              status,
              transient: true
            })
          )
        }
        const reply = body as { ok?: boolean; result?: Record<string, unknown>; description?: string }
        return reply.ok === true && reply.result !== undefined
          ? Effect.succeed(reply.result)
          : Effect.fail(
            new PublishError({
              platform: PLATFORM,
              message: `Telegram ${method}: ${reply.description ?? `HTTP ${status}`}`,
              status,
              transient: status === 429
            })
          )
      }),
      retryTransient()
    )

  /** The token is a bot's, the chat exists, and the bot may post there (a channel needs an admin that can post). */
  const check = Effect.gen(function*() {
    const me = yield* ask("getMe", {})
    const chat = yield* ask("getChat", { chat_id: config.channelId })
    const member = yield* ask("getChatMember", { chat_id: config.channelId, user_id: String(me["id"]) })
    const status = String(member["status"] ?? "unknown")
    const type = String(chat["type"] ?? "chat")
    const title = typeof chat["title"] === "string" ? `"${chat["title"]}"` : config.channelId
    const canPost = type === "channel"
      ? status === "creator" || (status === "administrator" && member["can_post_messages"] !== false)
      : status === "creator" || status === "administrator" || status === "member"
    if (!canPost) {
      return yield* new PublishError({
        platform: PLATFORM,
        message: `the bot @${String(me["username"])} cannot post to ${title} (${type}; its status there: ${status}${
          type === "channel" ? ", a channel needs it as an administrator allowed to post" : ""
        })`,
        transient: false
      })
    }
    return `bot @${String(me["username"])} posts to ${title} (${type}, ${status})`
  })

  return { platform: PLATFORM, publish, check } satisfies PlatformPublisher
})
