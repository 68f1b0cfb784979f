import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import sharp from "sharp"
import { CaptionPair } from "../../src/domain/Analysis.js"
import type { PublishError } from "../../src/domain/Errors.js"
import { startTelegram, type TelegramEmulator } from "../../src/sandbox/telegram.js"
import type { Post } from "../../src/services/publishers/Publisher.js"
import { telegramRefuses } from "../../src/services/publishers/telegramImage.js"
import { makeTelegramPublisher } from "../../src/services/publishers/TelegramPublisher.js"
import { configLayer } from "../support/config.js"
import { image, sampleAnalysis } from "../support/fakes.js"

const TOKEN = "42:secret-bot-token"

const post = (caption: string): Post => ({
  image: image("a.jpg"),
  bytes: new Uint8Array(2048).fill(7),
  mimeType: "image/jpeg",
  captions: new CaptionPair({ caption, sd_caption: "prompt" }),
  analysis: sampleAnalysis
})

const withTelegram = <A, E>(
  token: string,
  body: (
    telegram: TelegramEmulator,
    publish: (p: Post) => Effect.Effect<{ postId: string | undefined }, PublishError>
  ) => Effect.Effect<A, E>
) =>
  Effect.acquireUseRelease(
    Effect.promise(() => startTelegram({ token: TOKEN })),
    (telegram) =>
      makeTelegramPublisher.pipe(
        Effect.provide(
          configLayer({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_CHANNEL_ID: "@channel", TELEGRAM_API_URL: telegram.url })
        ),
        Effect.flatMap((publisher) => body(telegram, publisher.publish))
      ),
    (telegram) => Effect.promise(() => telegram.close())
  )

describe("Telegram publisher (multipart sendPhoto against the emulator)", () => {
  it.live("uploads the photo bytes with the caption and returns the message id", () =>
    withTelegram(TOKEN, (telegram, publish) =>
      Effect.gen(function*() {
        const receipt = yield* publish(post("Hello #world"))
        expect(receipt.postId).toBe("1")
        expect(telegram.messages).toEqual([{
          message_id: 1,
          chat_id: "@channel",
          caption: "Hello #world",
          photoBytes: 2048
        }])
      })))

  it.live("cuts a caption to Telegram's 1,024-character limit", () =>
    withTelegram(TOKEN, (telegram, publish) =>
      Effect.gen(function*() {
        yield* publish(post("word ".repeat(400)))
        const sent = telegram.messages[0]!.caption
        expect(sent.length).toBeLessThanOrEqual(1024)
        expect(sent.endsWith("…")).toBe(true)
      })))

  it.live("a permanent refusal is a typed error with Telegram's description, not retried", () =>
    withTelegram(TOKEN, (telegram, publish) =>
      Effect.gen(function*() {
        telegram.inject("sendPhoto", { status: 400 })
        const error = yield* publish(post("x")).pipe(Effect.flip)
        expect(error).toMatchObject({ platform: "telegram", status: 400, transient: false })
        expect(error.message).toMatch(/Bad Request/)
        expect(telegram.calls["sendPhoto"]).toBe(1)
      })))

  it.live("a wrong token fails without putting the token in the error", () =>
    withTelegram("42:wrong-token", (telegram, publish) =>
      Effect.gen(function*() {
        const error = yield* publish(post("x")).pipe(Effect.flip)
        expect(error.status).toBe(401)
        expect(JSON.stringify(error)).not.toContain("wrong-token")
        expect(telegram.messages).toEqual([])
      })))

  it.live("a connection lost after sending is uncertain and not retried (no double post)", () =>
    withTelegram(TOKEN, (telegram, publish) =>
      Effect.gen(function*() {
        telegram.inject("sendPhoto", { drop: true, times: 1 })
        const error = yield* publish(post("x")).pipe(Effect.flip)
        expect(error).toMatchObject({ uncertain: true, transient: false })
        expect(telegram.calls["sendPhoto"]).toBe(1)
      })))

  it.live("a 5xx is uncertain too: Telegram may have posted", () =>
    withTelegram(TOKEN, (telegram, publish) =>
      Effect.gen(function*() {
        telegram.inject("sendPhoto", { status: 502, times: 1 })
        const error = yield* publish(post("x")).pipe(Effect.flip)
        expect(error).toMatchObject({ uncertain: true, status: 502 })
        expect(telegram.calls["sendPhoto"]).toBe(1)
      })))

  it.live("a photo Telegram would refuse (over 10,000 px in width + height) is sent as a fitted JPEG", () =>
    withTelegram(TOKEN, (telegram, publish) =>
      Effect.gen(function*() {
        const huge = yield* Effect.promise(() =>
          sharp({ create: { width: 9000, height: 2000, channels: 3, background: "#336699" } }).png().toBuffer()
        )
        yield* publish({ ...post("wide"), bytes: huge, mimeType: "image/png" })
        expect(telegram.messages).toHaveLength(1)
        expect(telegram.messages[0]!.photoBytes).toBeLessThan(huge.length)
      })))
})

describe("Telegram photo limits", () => {
  it("refuses what Telegram refuses", () => {
    expect(telegramRefuses({ width: 4000, height: 3000, bytes: 5_000_000 })).toBe(false)
    expect(telegramRefuses({ width: 4000, height: 3000, bytes: 11 * 1024 * 1024 })).toBe(true)
    expect(telegramRefuses({ width: 8000, height: 2100, bytes: 1000 })).toBe(true)
    expect(telegramRefuses({ width: 4200, height: 200, bytes: 1000 })).toBe(true)
  })
})

describe("Telegram check (getMe, getChat, getChatMember; nothing posted)", () => {
  const checkWith = (chats: Parameters<typeof startTelegram>[0]["chats"], token = TOKEN) =>
    Effect.acquireUseRelease(
      Effect.promise(() => startTelegram({ token: TOKEN, ...(chats === undefined ? {} : { chats }) })),
      (telegram) =>
        makeTelegramPublisher.pipe(
          Effect.provide(
            configLayer({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_CHANNEL_ID: "@channel", TELEGRAM_API_URL: telegram.url })
          ),
          Effect.flatMap((publisher) => Effect.either(publisher.check)),
          Effect.map((result) => ({ result, messages: telegram.messages.length, calls: { ...telegram.calls } }))
        ),
      (telegram) => Effect.promise(() => telegram.close())
    )

  it.live("a bot that is an administrator allowed to post in the channel passes, posting nothing", () =>
    Effect.gen(function*() {
      const { calls, messages, result } = yield* checkWith({
        "@channel": { type: "channel", title: "Film", status: "administrator" }
      })
      expect(result._tag === "Right" && result.right).toBe(
        "bot @publisher_sandbox_bot posts to \"Film\" (channel, administrator)"
      )
      expect(messages).toBe(0)
      expect(calls).toEqual({ getMe: 1, getChat: 1, getChatMember: 1 })
    }))

  it.live("fails, saying why: a bad token, an unknown chat, a channel member or an administrator without the right to post", () =>
    Effect.gen(function*() {
      const message = (r: { result: { _tag: string; left?: { message: string } } }) =>
        r.result._tag === "Left" ? r.result.left!.message : "passed"
      expect(message(yield* checkWith(undefined, "42:wrong"))).toBe("Telegram getMe: Unauthorized")
      expect(message(yield* checkWith({ "@other": { type: "channel", title: "Other", status: "administrator" } })))
        .toBe("Telegram getChat: Bad Request: chat not found")
      expect(message(yield* checkWith({ "@channel": { type: "channel", title: "Film", status: "member" } }))).toMatch(
        /cannot post to "Film" \(channel; its status there: member, a channel needs it as an administrator allowed to post\)/
      )
      expect(
        message(
          yield* checkWith({ "@channel": { type: "channel", title: "Film", status: "administrator", canPost: false } })
        )
      ).toMatch(/cannot post to "Film"/)
      expect(message(yield* checkWith({ "@channel": { type: "supergroup", title: "Group", status: "member" } }))).toBe(
        "passed"
      )
    }))
})
