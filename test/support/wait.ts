import { Effect } from "effect"

/** Waits (polling every 50 ms, at most 45 s) until `ready()` holds; fails naming `what`. */
export const until = (ready: () => boolean, what: string) =>
  Effect.promise(async () => {
    const deadline = Date.now() + 45_000
    while (!ready()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  })
