import type { LeaseHolder } from "../../src/services/state/State.js"

/** A lease holder acquiring at `at` (ms) for `ttl`, by default another machine's process. */
export const holder = (owner: string, at: number, ttl = 60_000, host = "other-machine", pid = 4242): LeaseHolder => ({
  owner,
  host,
  pid,
  acquiredAt: at,
  expiresAt: at + ttl
})
