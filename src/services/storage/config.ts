import { Config } from "effect"

/** `STORAGE` = dropbox (default) | local. */
export const StorageKindConfig = Config.literal("dropbox", "local")("STORAGE").pipe(
  Config.withDefault("dropbox" as const)
)
export type StorageKind = Config.Config.Success<typeof StorageKindConfig>
