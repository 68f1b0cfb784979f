/**
 * Words for an HTTP answer that is not the JSON an API speaks: an HTML or plain-text page from a
 * proxy, a load balancer or a captive portal (`502 Bad Gateway`, `503 Service Unavailable`).
 * Such an answer is described by what came back (status and host), never as a network error,
 * a JSON parse error ("Unexpected token <") or by quoting the page.
 */

/** The body parsed as JSON, or `NOT_JSON` (empty, HTML, plain text, truncated JSON). */
export const NOT_JSON: unique symbol = Symbol.for("publisher/NotJson")
export type NotJson = typeof NOT_JSON

export const parseJsonBody = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return NOT_JSON
  }
}

/**
 * The host (and port) of a URL, for messages: no credentials, no path, no query (Telegram's bot
 * token is in the path). A URL that does not parse is "the server", never echoed.
 */
export const hostOf = (url: string | undefined): string => {
  if (url === undefined || url === "") return "the server"
  try {
    return new URL(url).host || "the server"
  } catch {
    return "the server"
  }
}

/** `HTTP 503 from api.telegram.org (not JSON)` */
export const notJsonWords = (status: number, host: string): string => `HTTP ${status} from ${host} (not JSON)`

/** An HTML page (by its content type, or by its first character when the type says nothing useful). */
export const looksLikeHtml = (contentType: string | null | undefined, text: string): boolean =>
  /\bhtml\b/i.test(contentType ?? "") || text.trimStart().startsWith("<")
