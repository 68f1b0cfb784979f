import { Context, type Effect } from "effect"
import type { CheckResult } from "../domain/Check.js"

/**
 * What the admin API reports about the running service beyond the photos (given by the CLI, which builds the checks).
 */
export class Operations extends Context.Tag("publisher/Operations")<Operations, {
  /** Every service checked, concurrently, without posting anything. */
  readonly checks: Effect.Effect<ReadonlyArray<CheckResult>>
  /** The posting schedule this server runs, if any, and its next time after `now`. */
  readonly schedule:
    | { readonly expression: string; readonly timeZone: string; readonly next: (now: Date) => Date }
    | undefined
}>() {}
