import { createHash, randomUUID } from "node:crypto"
import { type Emulator, type EmulatorOptions, jsonBody, type Reply, startEmulator } from "./http.js"
import { sampleOf, Seeded } from "./jsonSchemaSample.js"

export interface OpenAiOptions extends EmulatorOptions {
  readonly apiKey: string
  /** Lets a test answer with content of its own (e.g. malformed JSON). */
  readonly replyOverride?: (body: Record<string, unknown>) => string | undefined
  /** Latency by the request's json_schema name (vision and caption calls share one route). */
  readonly schemaLatency?: Partial<Record<string, number>>
  /** The models `GET /v1/models/{id}` knows (default: any). */
  readonly models?: ReadonlyArray<string>
}

export interface OpenAiRequest {
  readonly model: string
  readonly schemaName: string | undefined
  readonly maxCompletionTokens: number | undefined
  readonly hasImage: boolean
  /** Each message's role and text (its text parts, for multi-part content). */
  readonly messages: ReadonlyArray<{ readonly role: string; readonly text: string }>
  /** Size of the request body on the wire. */
  readonly bodyBytes: number
  /** The image sent (decoded from its data URL) and its `detail`, for vision requests. */
  readonly image?: { readonly bytes: Buffer; readonly mimeType: string; readonly detail: string | undefined }
}

/** The first image_url part of the messages, when it is a base64 data URL. */
const imageOf = (messages: ReadonlyArray<unknown>): OpenAiRequest["image"] => {
  for (const m of messages) {
    const content = (m as { content?: unknown } | null)?.content
    if (!Array.isArray(content)) continue
    for (const part of content) {
      const url = (part as { image_url?: { url?: unknown; detail?: unknown } }).image_url
      const match = typeof url?.url === "string" ? /^data:([^;,]+);base64,(.*)$/s.exec(url.url) : null
      if (match !== null) {
        return {
          mimeType: match[1]!,
          bytes: Buffer.from(match[2]!, "base64"),
          detail: typeof url!.detail === "string" ? url!.detail : undefined
        }
      }
    }
  }
  return undefined
}

const messageTexts = (messages: ReadonlyArray<unknown>) =>
  messages.map((m) => {
    const { content, role } = (m ?? {}) as { role?: unknown; content?: unknown }
    const text = typeof content === "string"
      ? content
      : Array.isArray(content)
      ? content.map((part) =>
        (part as { type?: string; text?: string }).type === "text" ? String((part as { text?: string }).text ?? "") : ""
      ).join("")
      : ""
    return { role: String(role ?? ""), text }
  })

export interface OpenAiEmulator extends Emulator {
  readonly requests: ReadonlyArray<OpenAiRequest>
}

const error = (status: number, message: string, type: string, code: string | null): Reply => ({
  status,
  body: { error: { message, type, param: null, code } }
})

/** A short photo description, for requests without a response_format. */
const plainText = (rnd: Seeded) => String(sampleOf({ type: "string" }, rnd, "description"))

/**
 * OpenAI `POST /v1/chat/completions`: answers json_schema requests with JSON valid against the
 * schema, deterministic per request content (the same image gets the same answer).
 */
export const startOpenAi = async (options: OpenAiOptions): Promise<OpenAiEmulator> => {
  const requests: Array<OpenAiRequest> = []
  const server = await startEmulator({
    route: (request) =>
      request.method === "POST" && /^(\/v1)?\/chat\/completions$/.test(request.path)
        ? "chat/completions"
        : request.method === "GET" && /^(\/v1)?\/models\/[^/]+$/.test(request.path)
        ? "models"
        : undefined,
    errorReply: (status, retryAfter) =>
      status === 429
        ? {
          ...error(
            429,
            `Rate limit reached for requests. Please try again in ${retryAfter ?? 1}s.`,
            "requests",
            "rate_limit_exceeded"
          ),
          headers: { "retry-after": String(retryAfter ?? 1) }
        }
        : status === 401
        ? error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
        : error(
          status,
          status >= 500 ? "The server had an error processing your request." : `HTTP ${status}`,
          status >= 500 ? "server_error" : "invalid_request_error",
          null
        ),
    handle: async (route, request) => {
      if (request.headers.authorization !== `Bearer ${options.apiKey}`) {
        return error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
      }
      if (route === "models") {
        const id = decodeURIComponent(request.path.split("/").pop() ?? "")
        return options.models === undefined || options.models.includes(id)
          ? { status: 200, body: { id, object: "model", created: 1715367049, owned_by: "system" } }
          : error(404, `The model '${id}' does not exist`, "invalid_request_error", "model_not_found")
      }
      const body = jsonBody(request)
      if (typeof body["model"] !== "string") {
        return error(400, "you must provide a model parameter", "invalid_request_error", null)
      }
      if (!Array.isArray(body["messages"])) {
        return error(
          400,
          "Missing required parameter: 'messages'.",
          "invalid_request_error",
          "missing_required_parameter"
        )
      }
      const messages = JSON.stringify(body["messages"] ?? [])
      const format = body["response_format"] as
        | { type?: string; json_schema?: { name?: string; schema?: object } }
        | undefined
      const schema = format?.type === "json_schema" ? format.json_schema : undefined
      const maxTokens = body["max_completion_tokens"]
      const image = imageOf(body["messages"] as Array<unknown>)
      requests.push({
        model: String(body["model"] ?? ""),
        schemaName: schema?.name,
        maxCompletionTokens: typeof maxTokens === "number" ? maxTokens : undefined,
        hasImage: messages.includes("\"image_url\""),
        messages: messageTexts(body["messages"] as Array<unknown>),
        bodyBytes: request.body.length,
        ...(image === undefined ? {} : { image })
      })
      const delay = schema?.name !== undefined ? options.schemaLatency?.[schema.name] : undefined
      if (delay !== undefined) await new Promise((resolve) => setTimeout(resolve, delay))
      const seed = createHash("sha256").update(messages).digest("hex")
      const content = options.replyOverride?.(body) ??
        (schema?.schema !== undefined
          ? JSON.stringify(sampleOf(schema.schema as Record<string, unknown>, new Seeded(seed)))
          : plainText(new Seeded(seed)))
      const promptTokens = Math.ceil(messages.length / 4)
      const completionTokens = Math.ceil(content.length / 4)
      return {
        status: 200,
        headers: { "x-request-id": `req_${seed.slice(0, 16)}` },
        body: {
          id: `chatcmpl-${randomUUID()}`,
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model: String(body["model"] ?? ""),
          choices: [{
            index: 0,
            message: { role: "assistant", content, refusal: null },
            finish_reason: "stop",
            logprobs: null
          }],
          usage: {
            prompt_tokens: promptTokens,
            completion_tokens: completionTokens,
            total_tokens: promptTokens + completionTokens
          }
        }
      }
    }
  }, options)
  return { ...server, requests }
}
