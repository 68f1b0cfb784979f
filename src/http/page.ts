/**
 * The admin page: plain HTML; its style and script are files of their own (`/assets/admin.css`,
 * `/assets/admin.js`), so the page's Content-Security-Policy allows no inline script at all. It
 * talks to the same JSON API as any other client, with the admin session cookie.
 */
export const ADMIN_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Publisher</title>
<link rel="stylesheet" href="/assets/admin.css">
</head>
<body>
<header><h1>Publisher</h1><span id="who"></span></header>
<main>
  <div id="error" role="alert"></div>
  <section class="card" id="login" hidden>
    <p id="sso-row" hidden><a id="sso" class="button" href="/auth/login">Log in with single sign-on</a></p>
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
<script src="/assets/admin.js" defer></script>
</body>
</html>
`
