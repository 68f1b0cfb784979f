import { ConfigProvider, Layer } from "effect"

/** A layer that makes `config` the only configuration (no environment). */
export const configLayer = (config: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(config))))
