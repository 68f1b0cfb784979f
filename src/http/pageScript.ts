/** The admin page's script, served as `/assets/admin.js` (no inline script: the CSP forbids it). */
export const ADMIN_SCRIPT = `"use strict";
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
    $("login-form").hidden = !features.password_login_enabled;
    $("sso-row").hidden = features.auth_mode !== "oidc";
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
  run("Logging in", async () => {
    await api("POST", "/api/admin/login", { password: $("password").value });
    $("password").value = "";
    // A Secure cookie over plain http is dropped by the browser: say so instead of showing the form again.
    const status = await api("GET", "/api/admin/status");
    if (!status.admin) {
      throw new Error(location.protocol === "http:"
        ? "the browser did not keep the session cookie: it is Secure and this page is plain http. Open the page over https (PUBLIC_URL), or set WEB_SECURE_COOKIES=false on a trusted network"
        : "the browser did not keep the session cookie: allow cookies for this site");
    }
    await start();
  });
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
$("logout").addEventListener("click", () => {
  // Single sign-on: the provider's session ends too.
  if (features.auth_mode === "oidc") { location.href = "/auth/logout"; return; }
  run("Logging out", async () => { await api("POST", "/api/admin/logout"); await start(); });
});
const LOGIN_ERRORS = {
  expired: "The sign-in took too long, or was started in another tab or browser: try again.",
  email_not_allowed: "This account may not administer Publisher: its email is not in OIDC_ALLOWED_EMAILS.",
  no_email: "The provider did not give a verified email address for this account.",
  state_mismatch: "The sign-in answer did not match this browser's sign-in: try again.",
  provider_error: "The provider refused the sign-in.",
  exchange_failed: "The provider did not accept the sign-in code (is OIDC_CLIENT_SECRET right?).",
  invalid_token: "The provider's answer could not be verified."
};
const loginError = new URLSearchParams(location.search).get("login_error");
if (loginError) {
  showError("Sign-in failed: " + (LOGIN_ERRORS[loginError] || loginError));
  history.replaceState(null, "", "/");
}
start();
`
