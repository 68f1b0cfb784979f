import { Config, Effect, Redacted } from "effect"
import nodemailer from "nodemailer"
import { formatCaption } from "../../domain/Caption.js"
import { PublishError } from "../../domain/Errors.js"
import { retryTransient } from "../retry.js"
import type { PlatformPublisher, Post } from "./Publisher.js"

/** Where the caption goes (`EMAIL_CAPTION_TARGET`) and the subject's prefix (`EMAIL_SUBJECT_MODE`). */
export const EmailLayoutConfig = Config.all({
  captionTarget: Config.literal("subject", "body", "both")("EMAIL_CAPTION_TARGET").pipe(
    Config.withDefault("subject" as const)
  ),
  subjectMode: Config.literal("normal", "private", "avatar")("EMAIL_SUBJECT_MODE").pipe(
    Config.withDefault("normal" as const)
  )
})

export const EmailConfig = Config.all({
  sender: Config.string("EMAIL_SENDER"),
  recipient: Config.string("EMAIL_RECIPIENT"),
  password: Config.redacted("EMAIL_PASSWORD"),
  host: Config.string("SMTP_HOST").pipe(Config.withDefault("smtp.gmail.com")),
  port: Config.port("SMTP_PORT").pipe(Config.withDefault(587)),
  /** true: TLS from the start (port 465); false: STARTTLS upgrade. */
  secure: Config.boolean("SMTP_SECURE").pipe(Config.withDefault(false)),
  /** Refuse to send without STARTTLS (when not `secure`). */
  requireTls: Config.boolean("SMTP_REQUIRE_TLS").pipe(Config.withDefault(true)),
  layout: EmailLayoutConfig,
  confirmation: Config.boolean("EMAIL_CONFIRMATION_TO_SENDER").pipe(Config.withDefault(false)),
  /** Where confirmations go instead of the sender (publisher_v2 sent them to its admin emails). */
  confirmationTo: Config.string("EMAIL_CONFIRMATION_TO").pipe(
    Config.map((list) => list.split(",").map((a) => a.trim()).filter((a) => a !== "")),
    Config.withDefault([] as Array<string>)
  ),
  confirmationTags: Config.integer("EMAIL_CONFIRMATION_TAGS_COUNT").pipe(Config.withDefault(5)),
  timeoutSeconds: Config.integer("SMTP_TIMEOUT_SECONDS").pipe(Config.withDefault(30))
})
type EmailSettings = Config.Config.Success<typeof EmailConfig>

const PLATFORM = "email"

/** publisher_v2's subject prefixes (photo services read them as upload instructions). */
const SUBJECT_PREFIX = { normal: "", private: "Private: ", avatar: "Avatar: " } as const

/** Subject and body as publisher_v2 placed the caption. */
export const emailLayout = (caption: string, settings: EmailSettings["layout"]) => {
  const prefix = SUBJECT_PREFIX[settings.subjectMode]
  return {
    subject: settings.captionTarget === "body" ? `${prefix}Photo upload` : `${prefix}${caption}`,
    body: caption
  }
}

/** Short tags for the confirmation: lower case, letters/digits/spaces only, unique. */
export const confirmationTags = (tags: ReadonlyArray<string>, count: number): Array<string> => {
  const out: Array<string> = []
  for (const tag of tags) {
    const clean = tag.toLowerCase().replace(/^#+/, "").replace(/[^\p{L}\p{N} ]+/gu, " ").replace(/\s+/g, " ").trim()
    if (clean !== "" && !out.includes(clean)) out.push(clean)
  }
  return out.slice(0, Math.max(0, count))
}

interface SmtpFailure {
  readonly code?: string
  readonly command?: string
  readonly responseCode?: number
  readonly message?: string
}

/**
 * An SMTP reply (4xx temporary, 5xx permanent) proves the message was not accepted. Losing the
 * connection before the message was handed over (connecting, greeting, login) is safe to retry;
 * losing it while the message was in flight may hide a delivered mail: uncertain, not retried.
 */
const toPublishError = (cause: unknown): PublishError => {
  const failure = (typeof cause === "object" && cause !== null ? cause : {}) as SmtpFailure
  const status = failure.responseCode
  const beforeMessage = failure.command === undefined || failure.command === "CONN" || failure.code === "ECONNECTION" ||
    failure.code === "EDNS"
  const transient = status !== undefined ? status >= 400 && status < 500 : beforeMessage && failure.code !== "EAUTH"
  return new PublishError({
    platform: PLATFORM,
    message: `email: ${
      failure.code === "EAUTH" ? "SMTP login failed" : (failure.message ?? "send failed").split("\n")[0]
    }`,
    status,
    transient,
    uncertain: status === undefined && !beforeMessage
  })
}

/** Sends the photo as an attachment over SMTP (nodemailer), one pooled transport per process. */
export const makeEmailPublisher = Effect.gen(function*() {
  const settings = yield* EmailConfig
  const transport = yield* Effect.acquireRelease(
    Effect.sync(() =>
      nodemailer.createTransport({
        host: settings.host,
        port: settings.port,
        secure: settings.secure,
        requireTLS: !settings.secure && settings.requireTls,
        auth: { user: settings.sender, pass: Redacted.value(settings.password) },
        pool: true,
        maxConnections: 2,
        connectionTimeout: settings.timeoutSeconds * 1000,
        greetingTimeout: settings.timeoutSeconds * 1000,
        socketTimeout: settings.timeoutSeconds * 1000
      })
    ),
    (t) => Effect.sync(() => t.close())
  )

  const send = (to: string, subject: string, text: string, post: Post) =>
    Effect.tryPromise({
      try: () =>
        transport.sendMail({
          from: settings.sender,
          to,
          subject,
          text,
          attachments: [{ filename: post.image.name, content: Buffer.from(post.bytes), contentType: post.mimeType }]
        }),
      catch: toPublishError
    }).pipe(
      Effect.timeoutFail({
        duration: `${settings.timeoutSeconds * 2} seconds`,
        onTimeout: () =>
          new PublishError({
            platform: PLATFORM,
            message: "email: timed out; the mail may have been sent",
            transient: false,
            uncertain: true
          })
      }),
      retryTransient()
    )

  const publish = (post: Post) =>
    Effect.gen(function*() {
      const caption = formatCaption("email", post.captions.caption)
      const { body, subject } = emailLayout(caption, settings.layout)
      const info = yield* send(settings.recipient, subject, body, post)
      if (settings.confirmation) {
        const tags = confirmationTags(post.analysis.tags, settings.confirmationTags)
        const confirmation = `${body}\n\n---\nImage tags: ${tags.length > 0 ? tags.join(", ") : "(none)"}`
        // The post is out; a failed confirmation is reported, never turned into a failed post.
        const to = settings.confirmationTo.length > 0 ? settings.confirmationTo.join(", ") : settings.sender
        yield* send(to, subject, confirmation, post).pipe(
          Effect.catchAll((e) =>
            Effect.logWarning("email confirmation not sent").pipe(Effect.annotateLogs({ error: e.message }))
          )
        )
      }
      return { platform: PLATFORM, postId: info.messageId as string | undefined }
    }).pipe(Effect.withSpan("publish.email", { attributes: { platform: PLATFORM, image: post.image.name } }))

  /** Connects, starts TLS when required and logs in (nodemailer's verify); sends nothing. */
  const check = Effect.tryPromise({ try: () => transport.verify(), catch: toPublishError }).pipe(
    Effect.timeoutFail({
      duration: `${settings.timeoutSeconds * 2} seconds`,
      onTimeout: () =>
        new PublishError({
          platform: PLATFORM,
          message: "email: the SMTP server did not answer in time",
          transient: true
        })
    }),
    Effect.as(
      `${settings.host}:${settings.port} accepted the login of ${settings.sender}; mail goes to ${settings.recipient}`
    )
  )

  return { platform: PLATFORM, publish, check } satisfies PlatformPublisher
})
