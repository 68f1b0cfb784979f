import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import type { LatencyReport } from "../domain/LatencyReport.js"

/** Chart.js's standalone build, from the installed package (no network at view time). */
const chartJs = async (): Promise<string> => {
  const main = createRequire(import.meta.url).resolve("chart.js")
  return readFile(join(dirname(main), "chart.umd.min.js"), "utf8")
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Values into `buckets` equal-width bins: labels and counts. */
export const histogram = (values: ReadonlyArray<number>, buckets = 20) => {
  if (values.length === 0) return { labels: [], counts: [] }
  const min = Math.min(...values)
  const max = Math.max(...values)
  const width = Math.max(1, Math.ceil((max - min + 1) / buckets))
  const counts = Array.from({ length: Math.ceil((max - min + 1) / width) }, () => 0)
  for (const v of values) counts[Math.min(counts.length - 1, Math.floor((v - min) / width))]! += 1
  return { labels: counts.map((_, i) => `${min + i * width}–${min + (i + 1) * width - 1}`), counts }
}

/** A self-contained HTML report: the table, and a latency distribution chart per stage/endpoint. */
export const renderStatsHtml = async (report: LatencyReport): Promise<string> => {
  const charts = report.rows.map((row, i) => ({ id: `chart-${i}`, metric: row.metric, ...histogram(row.values) }))
  const rows = report.rows.map((r) =>
    `<tr${r.target?.breached ? " class=\"breach\"" : ""}><td>${
      escapeHtml(r.metric)
    }</td><td>${r.count}</td><td>${r.p50}</td><td>${r.p95}</td><td>${r.p99}</td><td>${r.max}</td><td>${
      r.target ? `${r.target.breached ? "BREACH" : "ok"} (&lt; ${r.target.limitMs} ms)` : ""
    }</td></tr>`
  ).join("\n")
  // JSON inside a script: close-tag sequences escaped.
  const data = JSON.stringify(charts).replace(/</g, "\\u003c")
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Publisher latency report</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1d2330}table{border-collapse:collapse}td,th{padding:.3rem .7rem;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}tr.breach{background:#fde8e7}.chart{max-width:720px;margin:1.5rem 0}</style>
</head><body>
<h1>Latency report</h1>
<p>${report.lines} log lines; ${
    report.breaches.length === 0 ? "no target breached" : `targets breached: ${escapeHtml(report.breaches.join("; "))}`
  }</p>
<table><thead><tr><th>metric</th><th>count</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th><th>target</th></tr></thead><tbody>
${rows}
</tbody></table>
${
    charts.map((c) => `<div class="chart"><h2>${escapeHtml(c.metric)}</h2><canvas id="${c.id}"></canvas></div>`).join(
      "\n"
    )
  }
<script>${await chartJs()}</script>
<script>
for (const c of ${data}) {
  new Chart(document.getElementById(c.id), {
    type: "bar",
    data: { labels: c.labels, datasets: [{ label: c.metric + " (ms)", data: c.counts, backgroundColor: "#2f6fed" }] },
    options: { animation: false, scales: { x: { title: { display: true, text: "ms" } }, y: { title: { display: true, text: "count" }, beginAtZero: true } } }
  })
}
</script>
</body></html>
`
}
