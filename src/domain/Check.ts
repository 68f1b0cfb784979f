/** One external service checked without side effects (`publisher check`, `GET /api/admin/check`). */
export interface CheckResult {
  readonly name: string
  /** `off`: a platform that is not enabled (not a failure). */
  readonly status: "ok" | "failed" | "off"
  /** What was found, or why it failed, in a few words. */
  readonly detail: string
  readonly ms: number
}
