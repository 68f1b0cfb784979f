import { Config, Context, Layer } from "effect"

export interface NearDuplicateSettings {
  /** Hamming distance (bits of 64) at or below which an image counts as a copy; 0 disables. */
  readonly distance: number
  /** Near-duplicates a run skips before it gives up (the next run goes on from there). */
  readonly maxSkips: number
}

/** `NEAR_DUPLICATE_DISTANCE` (default 8, 0 disables, at most 32), `NEAR_DUPLICATE_MAX_SKIPS` (default 5). */
export const NearDuplicateConfig: Config.Config<NearDuplicateSettings> = Config.all({
  distance: Config.integer("NEAR_DUPLICATE_DISTANCE").pipe(
    Config.validate({ message: "must be between 0 (off) and 32", validation: (n) => n >= 0 && n <= 32 }),
    Config.withDefault(8)
  ),
  maxSkips: Config.integer("NEAR_DUPLICATE_MAX_SKIPS").pipe(
    Config.validate({ message: "must be 0 or more", validation: (n) => n >= 0 }),
    Config.withDefault(5)
  )
})

/** The process's near-duplicate settings, read and validated once, when the layers are built. */
export class NearDuplicatePolicy
  extends Context.Tag("publisher/NearDuplicatePolicy")<NearDuplicatePolicy, NearDuplicateSettings>()
{}

/**
 * From NEAR_DUPLICATE_DISTANCE / NEAR_DUPLICATE_MAX_SKIPS: a bad value fails the build (exit 2 naming it), never a
 * silent default.
 */
export const NearDuplicatePolicyLive = Layer.effect(NearDuplicatePolicy, NearDuplicateConfig)
