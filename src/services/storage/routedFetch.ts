import { Response } from "node-fetch"
import { Agent, fetch } from "undici"
import { hostOf, looksLikeHtml, NOT_JSON, parseJsonBody } from "../httpAnswer.js"

const DROPBOX_API = "https://api.dropboxapi.com"
const DROPBOX_CONTENT = "https://content.dropboxapi.com"

/** What routedFetch saw of a failed answer that the SDK cannot tell: who answered, and whether in JSON. */
export interface FailedAnswer {
  /** Host (and port) that answered; no credentials, no path. */
  readonly host: string
  /** The body is not JSON (an HTML or plain-text page, empty). */
  readonly notJson: boolean
  /** An HTML page (a proxy's or load balancer's 502/503). */
  readonly html: boolean
}

/**
 * Failed answers by their Headers object: the SDK's DropboxResponseError keeps the Response's
 * headers (and its status and body), never its URL. Weak: gone with the error.
 */
const failedAnswers = new WeakMap<object, FailedAnswer>()

/** What routedFetch saw of the failed answer whose headers these are (undefined for any other). */
export const failedAnswerOf = (headers: unknown): FailedAnswer | undefined =>
  typeof headers === "object" && headers !== null ? failedAnswers.get(headers) : undefined

/** Swaps a URL's origin, keeping path and query. */
const rebase = (url: string, from: string, to: string): string =>
  url.startsWith(from) ? to.replace(/\/+$/, "") + url.slice(from.length) : url

interface SdkRequestInit {
  readonly method?: string
  readonly headers?: Record<string, string>
  readonly body?: string | Buffer | Uint8Array
}

/**
 * The `fetch` given to the Dropbox SDK: Dropbox's two hosts (token refresh included) routed to
 * the configured base URLs over one keep-alive connection pool (undici) for the process.
 *
 * The body is read here, completely, and handed to the SDK as a node-fetch Response (the SDK
 * reads downloads with its `res.buffer()`). Reading it here matters: the SDK reads download
 * bodies inside a promise with no rejection handler, so a connection lost mid-body would be an
 * unhandled rejection (a crashed process) instead of a failed, retried call.
 */
export const routedFetch = (apiUrl: string, contentUrl: string) => {
  const pool = new Agent({ keepAliveTimeout: 30_000, connections: 16 })
  const routed = async (url: string, init: SdkRequestInit = {}) => {
    const target = rebase(rebase(url, DROPBOX_API, apiUrl), DROPBOX_CONTENT, contentUrl)
    const response = await fetch(target, {
      method: init.method ?? "GET",
      ...(init.headers !== undefined ? { headers: init.headers } : {}),
      ...(init.body !== undefined ? { body: init.body } : {}),
      dispatcher: pool
    })
    const body = Buffer.from(await response.arrayBuffer())
    const answer = new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: Object.fromEntries(response.headers),
      url: response.url
    })
    if (!response.ok) {
      const text = body.toString("utf8")
      failedAnswers.set(answer.headers, {
        host: hostOf(response.url || target),
        notJson: parseJsonBody(text) === NOT_JSON,
        html: looksLikeHtml(response.headers.get("content-type"), text)
      })
    }
    return answer
  }
  return {
    fetch: routed,
    close: () => {
      void pool.close()
    }
  }
}
