import { Agent as HttpAgent } from "node:http"
import { Agent as HttpsAgent } from "node:https"
import fetch, { type RequestInit } from "node-fetch"

const DROPBOX_API = "https://api.dropboxapi.com"
const DROPBOX_CONTENT = "https://content.dropboxapi.com"

/** Swaps a URL's origin, keeping path and query. */
const rebase = (url: string, from: string, to: string): string =>
  url.startsWith(from) ? to.replace(/\/+$/, "") + url.slice(from.length) : url

/**
 * The `fetch` given to the Dropbox SDK: node-fetch (the SDK reads downloads with its
 * `res.buffer()`), one keep-alive agent pool for the process, and Dropbox's two hosts (token
 * refresh included) routed to the configured base URLs.
 */
export const routedFetch = (apiUrl: string, contentUrl: string) => {
  const http = new HttpAgent({ keepAlive: true, maxSockets: 16 })
  const https = new HttpsAgent({ keepAlive: true, maxSockets: 16 })
  const routed = (url: string, init?: RequestInit) => {
    const target = rebase(rebase(url, DROPBOX_API, apiUrl), DROPBOX_CONTENT, contentUrl)
    return fetch(target, { ...init, agent: (parsed) => (parsed.protocol === "http:" ? http : https) })
  }
  return {
    fetch: routed,
    close: () => {
      http.destroy()
      https.destroy()
    }
  }
}
