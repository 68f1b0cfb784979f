import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { CaptionPair, ImageAnalysis } from "../../src/domain/Analysis.js"
import type { PublishError } from "../../src/domain/Errors.js"
import { type SmtpCapture, startSmtp } from "../../src/sandbox/smtp.js"
import { confirmationTags, emailLayout, makeEmailPublisher } from "../../src/services/publishers/EmailPublisher.js"
import type { Post } from "../../src/services/publishers/Publisher.js"
import { configLayer } from "../support/config.js"
import { image, sampleAnalysis } from "../support/fakes.js"

const SENDER = "me@example.test"
const PASSWORD = "smtp-secret-password"
const photo = new Uint8Array(Array.from({ length: 4096 }, (_, i) => i % 251))

const post = (caption: string, tags = sampleAnalysis.tags): Post => ({
  image: image("harbour.jpg"),
  bytes: photo,
  mimeType: "image/jpeg",
  captions: new CaptionPair({ caption, sd_caption: "prompt" }),
  analysis: new ImageAnalysis({ ...sampleAnalysis, tags })
})

const withEmail = <A, E>(
  config: Record<string, string>,
  body: (
    smtp: SmtpCapture,
    publish: (p: Post) => Effect.Effect<{ postId: string | undefined }, PublishError>
  ) => Effect.Effect<A, E>
) =>
  Effect.acquireUseRelease(
    Effect.promise(() => startSmtp({ user: SENDER, password: PASSWORD })),
    (smtp) =>
      Effect.scoped(
        makeEmailPublisher.pipe(
          Effect.provide(configLayer({
            EMAIL_SENDER: SENDER,
            EMAIL_RECIPIENT: "upload@service.test",
            EMAIL_PASSWORD: PASSWORD,
            SMTP_HOST: smtp.host,
            SMTP_PORT: String(smtp.port),
            SMTP_REQUIRE_TLS: "false",
            ...config
          })),
          Effect.flatMap((publisher) => body(smtp, publisher.publish))
        )
      ),
    (smtp) => Effect.promise(() => smtp.close())
  )

describe("email publisher (nodemailer against a real SMTP server)", () => {
  it.live("sends the photo as an attachment with the caption as subject and body", () =>
    withEmail({}, (smtp, publish) =>
      Effect.gen(function*() {
        const receipt = yield* publish(post("Quiet harbour — “blue hour” #harbour #blue"))
        expect(receipt.postId).toMatch(/@/)
        expect(smtp.messages).toHaveLength(1)
        const mail = smtp.messages[0]!
        expect(mail.from).toBe(SENDER)
        expect(mail.to).toEqual(["upload@service.test"])
        expect(mail.subject).toBe("Quiet harbour - \"blue hour\"")
        expect(mail.text.trim()).toBe("Quiet harbour - \"blue hour\"")
        expect(mail.attachments).toHaveLength(1)
        expect(mail.attachments[0]!.filename).toBe("harbour.jpg")
        expect(mail.attachments[0]!.contentType).toBe("image/jpeg")
        expect(Buffer.compare(mail.attachments[0]!.content, Buffer.from(photo))).toBe(0)
      })))

  it.live("subject mode and caption target follow publisher_v2; confirmation goes back to the sender", () =>
    withEmail({
      EMAIL_SUBJECT_MODE: "private",
      EMAIL_CAPTION_TARGET: "body",
      EMAIL_CONFIRMATION_TO_SENDER: "true",
      EMAIL_CONFIRMATION_TAGS_COUNT: "2"
    }, (smtp, publish) =>
      Effect.gen(function*() {
        yield* publish(post("Evening", ["#Sea-Side", "sea side", "Boats!", "dusk"]))
        expect(smtp.messages.map((m) => m.to)).toEqual([["upload@service.test"], [SENDER]])
        expect(smtp.messages[0]!.subject).toBe("Private: Photo upload")
        expect(smtp.messages[0]!.text.trim()).toBe("Evening")
        expect(smtp.messages[1]!.text).toContain("Image tags: sea side, boats")
        expect(smtp.messages[1]!.attachments).toHaveLength(1)
      })))

  it.live("EMAIL_CONFIRMATION_TO sends the confirmation there instead of to the sender", () =>
    withEmail(
      { EMAIL_CONFIRMATION_TO_SENDER: "true", EMAIL_CONFIRMATION_TO: "a@admins.test, b@admins.test" },
      (smtp, publish) =>
        Effect.gen(function*() {
          yield* publish(post("Evening", ["dusk"]))
          expect(smtp.messages.map((m) => m.to)).toEqual([["upload@service.test"], ["a@admins.test", "b@admins.test"]])
          expect(smtp.messages[1]!.text).toContain("Image tags: dusk")
        })
    ))

  it.live("a temporary refusal (451) is retried; a permanent one (554) is a typed error, not retried", () =>
    withEmail({}, (smtp, publish) =>
      Effect.gen(function*() {
        smtp.rejectNext(451)
        yield* publish(post("first"))
        expect(smtp.messages).toHaveLength(1)
        smtp.rejectNext(554, 5)
        const error = yield* publish(post("second")).pipe(Effect.flip)
        expect(error).toMatchObject({ platform: "email", status: 554, transient: false })
        expect(smtp.messages).toHaveLength(1)
      })))

  it.live("a wrong password is a permanent error that does not show the password", () =>
    withEmail({ EMAIL_PASSWORD: "wrong-password-value" }, (smtp, publish) =>
      Effect.gen(function*() {
        const error = yield* publish(post("x")).pipe(Effect.flip)
        expect(error.message).toBe("email: SMTP login failed")
        expect(error.transient).toBe(false)
        expect(JSON.stringify(error)).not.toContain("wrong-password-value")
        expect(smtp.messages).toEqual([])
      })))
})

describe("email layout", () => {
  it("places the caption as publisher_v2 did", () => {
    expect(emailLayout("Cap", { captionTarget: "subject", subjectMode: "normal" })).toEqual({
      subject: "Cap",
      body: "Cap"
    })
    expect(emailLayout("Cap", { captionTarget: "both", subjectMode: "avatar" })).toEqual({
      subject: "Avatar: Cap",
      body: "Cap"
    })
    expect(emailLayout("Cap", { captionTarget: "body", subjectMode: "normal" })).toEqual({
      subject: "Photo upload",
      body: "Cap"
    })
  })

  it("cleans confirmation tags", () => {
    expect(confirmationTags(["#Rain", "rain", "Red-Coat", "", "x"], 3)).toEqual(["rain", "red coat", "x"])
  })
})
