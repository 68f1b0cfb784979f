/**
 * The admin page: plain HTML, CSS and a small script, served by the app (no build step). It
 * talks to the same JSON API as any other client, with the admin session cookie.
 */
export const ADMIN_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Publisher</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f4f5f7; }
  body { margin: 0; }
  header { display: flex; justify-content: space-between; align-items: center; padding: .75rem 1rem; background: #1d2330; color: #fff; }
  header h1 { font-size: 1.1rem; margin: 0; }
  main { max-width: 960px; margin: 0 auto; padding: 1rem; }
  .card { background: #fff; border-radius: 10px; padding: 1rem; box-shadow: 0 1px 3px rgba(0,0,0,.1); margin-bottom: 1rem; }
  img#photo { width: 100%; max-height: 70vh; object-fit: contain; background: #e9ebef; border-radius: 8px; }
  .buttons { display: flex; flex-wrap: wrap; gap: .5rem; margin: .75rem 0; }
  button { font: inherit; padding: .6rem 1rem; border: 0; border-radius: 8px; background: #2f6fed; color: #fff; cursor: pointer; min-height: 44px; }
  button.secondary { background: #5b6475; } button.danger { background: #c9392f; }
  button:disabled { opacity: .5; cursor: wait; }
  #error { display: none; background: #fde8e7; color: #8a1c14; padding: .75rem; border-radius: 8px; margin-bottom: 1rem; }
  #message { color: #2a6b2f; min-height: 1.2em; }
  dt { font-weight: 600; margin-top: .5rem; } dd { margin: 0; white-space: pre-wrap; word-break: break-word; }
  .tags span { display: inline-block; background: #e4e9f7; border-radius: 999px; padding: .1rem .6rem; margin: .15rem; font-size: .9rem; }
  textarea#caption { font: inherit; width: 100%; box-sizing: border-box; padding: .5rem; border: 1px solid #c5cad3; border-radius: 8px; }
  input[type=password] { font: inherit; padding: .6rem; border: 1px solid #c5cad3; border-radius: 8px; width: 100%; max-width: 320px; box-sizing: border-box; }
  [hidden] { display: none !important; }
  #checks { border-collapse: collapse; width: 100%; } #checks td { padding: .35rem .5rem; border-top: 1px solid #e4e7ec; vertical-align: top; }
  #checks td.ok { color: #2a6b2f; } #checks td.failed { color: #8a1c14; font-weight: 600; } #checks td.off { color: #5b6475; }
</style>
</head>
<body>
<header><h1>Publisher</h1><span id="who"></span></header>
<main>
  <div id="error" role="alert"></div>
  <section class="card" id="login" hidden>
    <form id="login-form">
      <label for="password">Admin password</label><br>
      <input type="password" id="password" name="password" autocomplete="current-password" required>
      <button type="submit" id="login-button">Log in</button>
    </form>
  </section>
  <section class="card" id="viewer" hidden>
    <img id="photo" alt="">
    <div class="buttons">
      <button id="next" class="secondary">Next</button>
      <button id="analyze" hidden>Analyze</button>
      <button id="publish" hidden>Publish</button>
      <button id="keep" class="secondary" hidden>Keep</button>
      <button id="remove" class="danger" hidden>Remove</button>
      <button id="similar" class="secondary">Similar</button>
      <button id="logout" class="secondary">Log out</button>
    </div>
    <p id="message" aria-live="polite"></p>
    <dl>
      <dt>File</dt><dd id="filename"></dd>
      <dt><label for="caption">Caption</label> <small>(edit it before Publish to post your own words)</small></dt>
      <dd><textarea id="caption" rows="4"></textarea></dd>
      <dt>Per platform</dt><dd id="platforms">—</dd>
      <dt>SD caption</dt><dd id="sd_caption"></dd>
      <dt>Tags</dt><dd id="tags" class="tags"></dd>
      <dt>Similar</dt><dd id="similar-list">—</dd>
    </dl>
  </section>
  <section class="card" id="service" hidden>
    <div class="buttons"><button id="check" class="secondary">Check services</button></div>
    <p id="schedule"></p>
    <table id="checks" hidden><tbody></tbody></table>
  </section>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let features = {};
let current = null;

const showError = (text) => { const e = $("error"); e.textContent = text; e.style.display = text ? "block" : "none"; };
const say = (text) => { $("message").textContent = text; };

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error ? data.error + (data.detail ? " (" + data.detail + ")" : "") : "HTTP " + response.status);
  return data;
}

function busy(on) { document.querySelectorAll("button").forEach((b) => { b.disabled = on; }); }

async function run(label, action) {
  showError(""); busy(true); say(label + "…");
  try { await action(); } catch (e) { say(""); showError(label + " failed: " + e.message); } finally { busy(false); }
}

function render(image) {
  current = image;
  $("photo").src = image.temp_url;
  $("photo").alt = image.filename;
  $("filename").textContent = image.filename;
  $("caption").value = image.caption || "";
  $("sd_caption").textContent = image.sd_caption || "—";
  const tags = (image.metadata && Array.isArray(image.metadata.tags)) ? image.metadata.tags : (image.tags || []);
  $("tags").replaceChildren(...tags.map((t) => { const s = document.createElement("span"); s.textContent = t; return s; }));
  $("similar-list").textContent = "—";
  const platforms = Object.entries(image.platform_captions || {});
  $("platforms").replaceChildren(...(platforms.length === 0 ? [document.createTextNode("—")] : platforms.map(([p, c]) => {
    const div = document.createElement("div");
    div.textContent = p + ": " + c;
    return div;
  })));
}

const next = () => run("Loading", async () => { render(await api("GET", "/api/images/random")); say(""); });

async function start() {
  try {
    features = await api("GET", "/api/config/features");
    const status = await api("GET", "/api/admin/status");
    // AUTO_VIEW: anyone may look; the admin buttons appear only after a login.
    const admin = status.admin;
    const view = admin || features.auto_view_enabled;
    $("login").hidden = admin || features.auth_mode === "none";
    $("viewer").hidden = !view;
    $("service").hidden = !admin;
    $("who").textContent = admin ? "admin" : "";
    $("analyze").hidden = !admin || !features.analyze_caption_enabled;
    $("publish").hidden = !admin || !features.publish_enabled;
    $("keep").hidden = !admin || !features.keep_enabled;
    $("remove").hidden = !admin || !features.remove_enabled;
    $("similar").hidden = !admin;
    $("logout").hidden = !admin;
    $("caption").readOnly = !admin;
    if (view) await next();
  } catch (e) { showError(e.message); }
}

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  run("Logging in", async () => { await api("POST", "/api/admin/login", { password: $("password").value }); $("password").value = ""; await start(); });
});
$("next").addEventListener("click", next);
$("analyze").addEventListener("click", () => run("Analyzing", async () => {
  const a = await api("POST", "/api/images/" + encodeURIComponent(current.filename) + "/analyze");
  render({ ...current, caption: a.caption, sd_caption: a.sd_caption, tags: a.tags, metadata: null, platform_captions: a.platform_captions });
  say(a.from_sidecar ? "Caption from the sidecar" : "Analyzed; sidecar written");
}));
$("publish").addEventListener("click", () => run("Publishing", async () => {
  // An edited caption is posted as written (publisher_v2's caption override).
  const text = $("caption").value.trim();
  const edited = text !== "" && text !== (current.caption || "").trim();
  const r = await api("POST", "/api/images/" + encodeURIComponent(current.filename) + "/publish", edited ? { caption: text } : {});
  say("Published: " + Object.entries(r.results).map(([p, o]) => p + " " + o.status).join(", ") + (r.archived ? " — archived" : ""));
}));
for (const action of ["keep", "remove"]) {
  $(action).addEventListener("click", () => run(action === "keep" ? "Keeping" : "Removing", async () => {
    const r = await api("POST", "/api/images/" + encodeURIComponent(current.filename) + "/" + action);
    say("Moved to " + r.destination_folder);
  }));
}
$("similar").addEventListener("click", () => run("Looking for similar photos", async () => {
  const r = await api("GET", "/api/images/" + encodeURIComponent(current.filename) + "/similar");
  const items = r.similar.map((s) => {
    const li = document.createElement("li");
    li.textContent = s.filename + " — " + (s.distance === 0 ? "identical" : s.distance + " bits") + (s.posted ? " (posted)" : "");
    return li;
  });
  const list = document.createElement("ul");
  list.replaceChildren(...items);
  $("similar-list").replaceChildren(items.length > 0 ? list : document.createTextNode("none within " + r.max_distance + " bits"));
  say(items.length > 0 ? items.length + " similar" : "");
}));
$("check").addEventListener("click", () => run("Checking services", async () => {
  const r = await api("GET", "/api/admin/check");
  const rows = r.checks.map((c) => {
    const tr = document.createElement("tr");
    for (const [text, cls] of [[c.name, ""], [c.status === "failed" ? "FAILED" : c.status, c.status], [c.detail, ""]]) {
      const td = document.createElement("td");
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    return tr;
  });
  $("checks").tBodies[0].replaceChildren(...rows);
  $("checks").hidden = false;
  $("schedule").textContent = r.schedule ? "Posts on the schedule " + r.schedule.expression + " (" + r.schedule.time_zone + "); next at " + new Date(r.schedule.next_run_at).toLocaleString() : "No posting schedule (PUBLISH_SCHEDULE) in this server.";
  say(r.ok ? "Every service answers" : "Some services failed");
}));
$("logout").addEventListener("click", () => run("Logging out", async () => { await api("POST", "/api/admin/logout"); await start(); }));
start();
</script>
</body>
</html>
`
