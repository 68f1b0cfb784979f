/**
 * The shared core of the emulators (call counting, per-route latency, fault injection,
 * keep-alive-safe close). Implemented in `http.ts`; this is its public entry point.
 */
export {
  type Emulator,
  type EmulatorOptions,
  type Fault,
  jsonBody,
  type Reply,
  type Request,
  type Service,
  startEmulator
} from "./http.js"
