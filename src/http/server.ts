import { HttpApiBuilder, HttpApiSwagger, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Duration, Effect, Layer, Metric, Option } from "effect"
import { createServer } from "node:http"
import { renderPrometheus } from "../services/telemetry/prometheus.js"
import { AdminHandlers } from "./adminHandlers.js"
import { AdminSession, Authorization, PublisherApi, Viewer } from "./Api.js"
import { AuthRoutesLive } from "./authRoutes.js"
import { makeImageCatalog } from "./catalog.js"
import { correlationMiddleware } from "./correlation.js"
import { edgeMiddleware } from "./edge.js"
import { ImagesHandlers } from "./imagesHandlers.js"
import { ConfigHandlers, HealthHandlers } from "./otherHandlers.js"
import { ADMIN_PAGE } from "./page.js"
import { ADMIN_SCRIPT } from "./pageScript.js"
import { ADMIN_STYLE } from "./pageStyle.js"
import { adminSession, authorization, metricsAllowed, viewer } from "./security.js"
import { makeWebContext, WebContext } from "./WebContext.js"

const SecurityLive = Layer.unwrapEffect(
  WebContext.pipe(Effect.map(({ oidc, sessions, settings }) =>
    Layer.mergeAll(
      Layer.succeed(Authorization, authorization(settings, sessions)),
      Layer.succeed(Viewer, viewer(settings, sessions)),
      Layer.succeed(AdminSession, adminSession(settings, sessions, Option.isSome(oidc)))
    )
  ))
)

/** The admin page, and the process's metrics in the Prometheus text format. */
const PageLive = HttpApiBuilder.Router.use((router) =>
  Effect.flatMap(WebContext, ({ sessions, settings }) =>
    Effect.all([
      // Headers (CSP, framing, caching) are set by the edge middleware, for every response.
      router.get("/", HttpServerResponse.html(ADMIN_PAGE)),
      router.get(
        "/assets/admin.js",
        Effect.succeed(HttpServerResponse.text(ADMIN_SCRIPT, { contentType: "text/javascript; charset=utf-8" }))
      ),
      router.get(
        "/assets/admin.css",
        Effect.succeed(HttpServerResponse.text(ADMIN_STYLE, { contentType: "text/css; charset=utf-8" }))
      ),
      router.get(
        "/metrics",
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          if (!(yield* metricsAllowed(settings, sessions, request))) {
            return HttpServerResponse.unsafeJson({
              error: "Unauthorized",
              detail: "send METRICS_TOKEN (or the API credential) as a bearer token"
            }, { status: 401 })
          }
          const pairs = yield* Metric.snapshot
          return HttpServerResponse.text(renderPrometheus(pairs), {
            contentType: "text/plain; version=0.0.4; charset=utf-8"
          })
        })
      )
    ], { discard: true }))
)

/** The API, its docs and the admin page, over the app's services (Storage, Ai, State, Publishers). */
export const webLayer = (
  folders: { readonly folder: string; readonly archiveFolder: string | null; readonly maxAttempts: number }
) =>
  Layer.mergeAll(
    HttpApiSwagger.layer({ path: "/docs" }),
    HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" }),
    PageLive,
    AuthRoutesLive,
    HttpApiBuilder.middleware(Effect.map(WebContext, ({ settings }) => edgeMiddleware(settings)))
  ).pipe(
    Layer.provideMerge(
      HttpApiBuilder.api(PublisherApi).pipe(
        Layer.provide([AdminHandlers, ImagesHandlers, ConfigHandlers, HealthHandlers])
      )
    ),
    Layer.provide(SecurityLive),
    Layer.provide(Layer.unwrapEffect(WebContext.pipe(Effect.map(({ settings }) =>
      makeImageCatalog(folders.folder, Duration.seconds(settings.imageListTtlSeconds))
    )))),
    Layer.provideMerge(makeWebContext(folders))
  )

/** Serves `webLayer` on HOST:PORT. */
export const serveLayer = (
  folders: Parameters<typeof webLayer>[0],
  listen: { readonly host: string; readonly port: number }
) =>
  HttpApiBuilder.serve(correlationMiddleware).pipe(
    Layer.provide(webLayer(folders)),
    HttpServer.withLogAddress,
    // The server stays in the output: callers (tests) can read its address.
    Layer.provideMerge(NodeHttpServer.layer(createServer, listen))
  )
