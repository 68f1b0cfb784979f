import { Effect, Layer, type Scope } from "effect"
import { withCorrelationId } from "../../src/cli/correlation.js"
import { appLayer, type AppServices } from "../../src/cli/layers.js"
import { publishOne } from "../../src/programs/publishOne.js"
import { FolderConfig, type RunOptions } from "../../src/programs/RunOptions.js"
import { type Sandbox, sandboxConfigProvider, type SandboxOptions, startSandbox } from "../../src/sandbox/sandbox.js"

/**
 * Starts a sandbox and provides the real Live layers, configured against it, to `body`:
 * integration tests exercise the real SDKs over loopback HTTP.
 */
export const inSandbox = <A, E>(
  options: SandboxOptions & { readonly config?: Record<string, string> },
  body: (sandbox: Sandbox) => Effect.Effect<A, E, AppServices | Scope.Scope>
) =>
  Effect.scoped(
    Effect.gen(function*() {
      const sandbox = yield* startSandbox(options)
      for (const [k, v] of Object.entries(options.config ?? {})) (sandbox.config as Map<string, string>).set(k, v)
      return yield* body(sandbox).pipe(
        Effect.provide(appLayer({ publish: true })),
        Effect.provide(Layer.setConfigProvider(sandboxConfigProvider(sandbox)))
      )
    })
  )

/** One workflow run as the CLI does it. */
export const runOnce = (overrides: Partial<RunOptions> = {}) =>
  Effect.gen(function*() {
    const folders = yield* FolderConfig
    return yield* withCorrelationId((correlationId) =>
      publishOne({ correlationId, ...folders, dryPublish: false, preview: false, ...overrides })
    )
  })
