import { Layer } from "effect"
import type { DropboxEmulator } from "../../src/sandbox/dropbox.js"
import type { InstagramEmulator } from "../../src/sandbox/instagram.js"
import { makeDropboxStorage } from "../../src/services/storage/DropboxLive.js"
import { configLayer } from "./config.js"

/**
 * What the Instagram publisher runs on in the emulator tests: real Dropbox storage (its temporary
 * links are what the Graph API fetches) and the publisher's settings, both against the emulators.
 */
export const instagramTestLayer = (dropbox: DropboxEmulator, instagram: InstagramEmulator) =>
  makeDropboxStorage().pipe(
    Layer.provideMerge(configLayer({
      DROPBOX_API_URL: dropbox.url,
      DROPBOX_CONTENT_URL: dropbox.url,
      DROPBOX_ACCESS_TOKEN: "dbx",
      INSTAGRAM_USER_ID: "1784",
      INSTAGRAM_ACCESS_TOKEN: "ig-secret-token",
      INSTAGRAM_GRAPH_URL: `${instagram.url}/v21.0`
    }))
  )
