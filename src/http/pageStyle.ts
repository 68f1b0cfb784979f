/** The admin page's style sheet, served as `/assets/admin.css`. */
export const ADMIN_STYLE = `  :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f4f5f7; }
  body { margin: 0; }
  header { display: flex; justify-content: space-between; align-items: center; padding: .75rem 1rem; background: #1d2330; color: #fff; }
  header h1 { font-size: 1.1rem; margin: 0; }
  main { max-width: 960px; margin: 0 auto; padding: 1rem; }
  .card { background: #fff; border-radius: 10px; padding: 1rem; box-shadow: 0 1px 3px rgba(0,0,0,.1); margin-bottom: 1rem; }
  img#photo { width: 100%; max-height: 70vh; object-fit: contain; background: #e9ebef; border-radius: 8px; }
  .buttons { display: flex; flex-wrap: wrap; gap: .5rem; margin: .75rem 0; }
  button { font: inherit; padding: .6rem 1rem; border: 0; border-radius: 8px; background: #2f6fed; color: #fff; cursor: pointer; min-height: 44px; }
  a.button { display: inline-block; font: inherit; padding: .6rem 1rem; border-radius: 8px; background: #2f6fed; color: #fff; text-decoration: none; min-height: 44px; box-sizing: border-box; line-height: 1.6; }
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
`
