import { simpleParser } from "mailparser"
import type { AddressInfo } from "node:net"
import { SMTPServer } from "smtp-server"

export interface CapturedMail {
  readonly from: string
  readonly to: ReadonlyArray<string>
  readonly subject: string
  readonly text: string
  readonly attachments: ReadonlyArray<
    { readonly filename: string; readonly contentType: string; readonly content: Buffer }
  >
}

export interface SmtpCapture {
  readonly host: string
  readonly port: number
  readonly messages: ReadonlyArray<CapturedMail>
  /** Rejects the next `times` messages with this SMTP reply code (e.g. 451 transient, 554 permanent). */
  readonly rejectNext: (code: number, times?: number) => void
  readonly close: () => Promise<void>
}

/** A real SMTP server on 127.0.0.1 that checks the login and keeps every message it accepts. */
export const startSmtp = async (options: {
  readonly user: string
  readonly password: string
  /** Delay before each message is accepted, in ms. */
  readonly latencyMs?: number
}): Promise<SmtpCapture> => {
  const messages: Array<CapturedMail> = []
  let rejection: { code: number; left: number } | undefined
  const server = new SMTPServer({
    secure: false,
    hideSTARTTLS: true,
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth: (auth, _session, callback) =>
      auth.username === options.user && auth.password === options.password
        ? callback(null, { user: auth.username })
        : callback(Object.assign(new Error("Invalid username or password"), { responseCode: 535 })),
    onData: (stream, session, callback) => {
      simpleParser(stream).then(async (mail) => {
        if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs))
        if (rejection !== undefined && rejection.left > 0) {
          rejection.left -= 1
          return callback(
            Object.assign(new Error(`rejected by the sandbox (${rejection.code})`), { responseCode: rejection.code })
          )
        }
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: mail.subject ?? "",
          text: mail.text ?? "",
          attachments: mail.attachments.map((a) => ({
            filename: a.filename ?? "",
            contentType: a.contentType,
            content: a.content
          }))
        })
        callback()
      }, (error: Error) => callback(error))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.server.address() as AddressInfo
  return {
    host: "127.0.0.1",
    port,
    messages,
    rejectNext: (code, times = 1) => {
      rejection = { code, left: times }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
