import { type MetricPair, MetricState } from "effect"

const escape = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, "\\\"")
const name = (raw: string) => raw.replace(/[^a-zA-Z0-9_:]/g, "_")

const labels = (pairs: ReadonlyArray<readonly [string, string]>) =>
  pairs.length === 0 ? "" : `{${pairs.map(([k, v]) => `${name(k)}="${escape(v)}"`).join(",")}}`

const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN")

/** Effect's metric registry in the Prometheus text exposition format (0.0.4). */
export const renderPrometheus = (pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  const families = new Map<string, { type: string; help: string; lines: Array<string> }>()
  const family = (metric: string, type: string, help: string | undefined) => {
    let f = families.get(metric)
    if (f === undefined) {
      f = { type, help: help ?? metric, lines: [] }
      families.set(metric, f)
    }
    return f
  }
  for (const pair of pairs) {
    const metric = name(pair.metricKey.name)
    const tags = pair.metricKey.tags.map((t) => [t.key, t.value] as const).sort(([a], [b]) => a.localeCompare(b))
    const help = pair.metricKey.description._tag === "Some" ? pair.metricKey.description.value : undefined
    const state = pair.metricState
    if (MetricState.isCounterState(state)) {
      family(metric, "counter", help).lines.push(`${metric}${labels(tags)} ${num(Number(state.count))}`)
    } else if (MetricState.isGaugeState(state)) {
      family(metric, "gauge", help).lines.push(`${metric}${labels(tags)} ${num(Number(state.value))}`)
    } else if (MetricState.isHistogramState(state)) {
      const f = family(metric, "histogram", help)
      // Effect's boundaries end with +Inf already; the +Inf bucket is printed once, below, as the total.
      for (const [bound, count] of state.buckets) {
        if (Number.isFinite(bound)) f.lines.push(`${metric}_bucket${labels([...tags, ["le", num(bound)]])} ${count}`)
      }
      f.lines.push(`${metric}_bucket${labels([...tags, ["le", "+Inf"]])} ${state.count}`)
      f.lines.push(`${metric}_sum${labels(tags)} ${num(state.sum)}`)
      f.lines.push(`${metric}_count${labels(tags)} ${state.count}`)
    }
  }
  return [...families].map(([metric, f]) =>
    [`# HELP ${metric} ${f.help.replace(/\n/g, " ")}`, `# TYPE ${metric} ${f.type}`, ...f.lines].join("\n")
  ).join("\n") + "\n"
}
