import { type Emulator, type EmulatorOptions, type Reply, type Request, startEmulator } from "./http.js"

export interface TelegramOptions extends EmulatorOptions {
  readonly token: string
  /**
   * The chats `getChat` / `getChatMember` know and the bot's status in each (default: any chat is a channel where the
   * bot is an administrator allowed to post).
   */
  readonly chats?: Readonly<
    Record<
      string,
      { readonly type: string; readonly title: string; readonly status: string; readonly canPost?: boolean }
    >
  >
}

export interface TelegramMessage {
  readonly message_id: number
  readonly chat_id: string
  readonly caption: string
  /** Bytes of an uploaded photo (0 when sent by URL). */
  readonly photoBytes: number
  readonly photoUrl?: string
}

export interface TelegramEmulator extends Emulator {
  readonly messages: ReadonlyArray<TelegramMessage>
}

const fail = (status: number, description: string, extra: object = {}): Reply => ({
  status,
  body: { ok: false, error_code: status, description, ...extra }
})

const errorReply = (status: number, retryAfter: number | undefined): Reply =>
  status === 429
    ? {
      ...fail(429, `Too Many Requests: retry after ${retryAfter ?? 1}`, {
        parameters: { retry_after: retryAfter ?? 1 }
      }),
      headers: { "retry-after": String(retryAfter ?? 1) }
    }
    : status === 401
    ? fail(401, "Unauthorized")
    : status === 400
    ? fail(400, "Bad Request: wrong file identifier/HTTP URL specified")
    : fail(status, status >= 500 ? "Internal Server Error" : `Error ${status}`)

/** Reads the fields of a sendPhoto request: multipart (a file), JSON or urlencoded (a URL). */
const fieldsOf = async (request: Request): Promise<{ fields: Map<string, string>; photoBytes: number } | undefined> => {
  try {
    return await parseFields(request)
  } catch {
    return undefined
  }
}

const parseFields = async (request: Request): Promise<{ fields: Map<string, string>; photoBytes: number }> => {
  const type = String(request.headers["content-type"] ?? "")
  const fields = new Map<string, string>()
  if (type.startsWith("multipart/form-data")) {
    const form = await new globalThis.Request("http://telegram.invalid/", {
      method: "POST",
      headers: { "content-type": type },
      body: request.body
    }).formData()
    let photoBytes = 0
    for (const [key, value] of form.entries()) {
      if (typeof value === "string") fields.set(key, value)
      else if (key === "photo") photoBytes = value.size
    }
    return { fields, photoBytes }
  }
  if (type.startsWith("application/json")) {
    const body: unknown = JSON.parse(request.body.toString("utf8") || "{}")
    for (const [k, v] of Object.entries(typeof body === "object" && body !== null ? body : {})) fields.set(k, String(v))
  } else {
    for (const [k, v] of new URLSearchParams(request.body.toString("utf8"))) fields.set(k, v)
  }
  return { fields, photoBytes: 0 }
}

/** A chat as Telegram describes it: a numeric id is echoed, an @username gets a made-up id. */
const chatOf = (chatId: string) =>
  /^-?\d+$/.test(chatId)
    ? { id: Number(chatId), type: "channel", title: "Sandbox" }
    : { id: -1001234567890, type: "channel", title: "Sandbox", username: chatId.replace(/^@/, "") }

/** Telegram Bot API `sendPhoto` (and `getMe`), recording each message it "posts". */
export const startTelegram = async (options: TelegramOptions): Promise<TelegramEmulator> => {
  const messages: Array<TelegramMessage> = []

  const sendPhoto = async (request: Request): Promise<Reply> => {
    const parsed = await fieldsOf(request)
    if (parsed === undefined) return fail(400, "Bad Request: can't parse request body")
    const { fields, photoBytes } = parsed
    const chatId = fields.get("chat_id")
    if (chatId === undefined || chatId === "") return fail(400, "Bad Request: chat not found")
    const caption = fields.get("caption") ?? ""
    if (caption.length > 1024) return fail(400, "Bad Request: message caption is too long")
    const photoUrl = fields.get("photo")
    if (photoBytes === 0 && photoUrl === undefined) return fail(400, "Bad Request: there is no photo in the request")
    const message: TelegramMessage = {
      message_id: messages.length + 1,
      chat_id: chatId,
      caption,
      photoBytes,
      ...(photoUrl !== undefined ? { photoUrl } : {})
    }
    messages.push(message)
    const id = message.message_id
    return {
      status: 200,
      body: {
        ok: true,
        result: {
          message_id: id,
          date: Math.floor(Date.now() / 1000),
          chat: chatOf(chatId),
          photo: [
            {
              file_id: `AgACAgQAAx0sandbox-${id}-s`,
              file_unique_id: `AQADs${id}`,
              width: 320,
              height: 240,
              file_size: Math.ceil(photoBytes / 16)
            },
            {
              file_id: `AgACAgQAAx0sandbox-${id}-m`,
              file_unique_id: `AQADm${id}`,
              width: 1280,
              height: 960,
              file_size: photoBytes
            }
          ],
          ...(caption !== "" ? { caption } : {})
        }
      }
    }
  }

  const server = await startEmulator({
    // Every `/bot<token>/<method>` call is counted under its method, whatever the token.
    route: (request) => /^\/bot[^/]+\/(\w+)$/.exec(request.path)?.[1],
    errorReply,
    handle: async (route, request) => {
      if (request.path !== `/bot${options.token}/${route}`) return fail(401, "Unauthorized")
      switch (route) {
        case "sendPhoto":
          return request.method === "POST"
            ? sendPhoto(request)
            : fail(400, "Bad Request: there is no photo in the request")
        case "getMe":
          return {
            status: 200,
            body: {
              ok: true,
              result: {
                id: Number(options.token.split(":")[0]) || 1,
                is_bot: true,
                first_name: "Sandbox",
                username: "publisher_sandbox_bot"
              }
            }
          }
        case "getChat":
        case "getChatMember": {
          const chatId = request.query.get("chat_id") ?? ""
          const chat = options.chats === undefined
            ? { type: "channel", title: "Sandbox channel", status: "administrator", canPost: true }
            : options.chats[chatId]
          if (chat === undefined) return fail(400, "Bad Request: chat not found")
          return {
            status: 200,
            body: {
              ok: true,
              result: route === "getChat"
                ? { id: -1001234567890, type: chat.type, title: chat.title }
                : {
                  status: chat.status,
                  user: { id: Number(options.token.split(":")[0]) || 1, is_bot: true },
                  ...(chat.status === "administrator" ? { can_post_messages: chat.canPost ?? true } : {})
                }
            }
          }
        }
        default:
          return fail(404, "Not Found")
      }
    }
  }, options)
  return { ...server, messages }
}
