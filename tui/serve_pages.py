"""The two HTML pages of `peersnap serve`: the dashboard page and "the classroom is full".

The dashboard page is textual-serve's own page (textual-serve 1.1.3, app_index.html)
with three changes for a classroom: no Google Fonts (a lab may have no internet, and the
page would wait for it), the websocket address is worked out in the browser from the
page's own address (so it works behind any host name, LAN address or proxy), and the
websocket path carries the seat ticket that the page was given.
"""

from __future__ import annotations

import html

DASHBOARD_PAGE = """<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>{title}</title>
    <link rel="stylesheet" href="static/css/xterm.css" />
    <script src="static/js/textual.js"></script>
    <style>
      @font-face {{
        font-family: "Roboto Mono";
        src: url("static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
      }}
      body {{ background: #0c181f; margin: 0; overflow: hidden; }}
      .dialog-container {{
        position: absolute; width: 100vw; height: 100vh; display: flex;
        align-items: center; justify-content: center; z-index: 10;
      }}
      .shade {{ position: absolute; width: 100%; height: 100%; background: #0c181f; }}
      .intro {{
        width: 640px; min-height: 200px; font-size: 16px; z-index: 20; padding: 16px;
        font-family: "Roboto Mono", menlo, monospace; text-align: center;
        color: rgba(255, 255, 255, 0.95); background-color: #12232d;
        display: flex; flex-direction: column; align-items: center; justify-content: center;
      }}
      body.-first-byte .intro-dialog {{ display: none; }}
      body .textual-terminal {{ opacity: 0; transition: opacity 0.3s ease-out; }}
      body.-first-byte .textual-terminal {{ opacity: 1; }}
      button {{
        padding: 16px 32px; background-color: #5e0ba7; color: rgba(255, 255, 255, 0.95);
        border: none; font-family: "Roboto Mono", menlo, monospace; margin: 16px;
      }}
      button:hover {{ background: #ac5af4; cursor: pointer; }}
      .closed-dialog {{ display: none; }}
      body.-closed .closed-dialog {{ display: flex; }}
    </style>
  </head>
  <body>
    <div class="dialog-container intro-dialog">
      <div class="shade"></div>
      <div class="intro"><div>{title}</div><div>Starting your own simulator&hellip;</div></div>
    </div>
    <div class="dialog-container closed-dialog">
      <div class="shade"></div>
      <div class="intro">
        <div class="message">This session has ended: the dashboard quit, or the server stopped.</div>
        <button type="button" onclick="window.location.href = window.location.pathname">
          Start a fresh simulator</button>
      </div>
    </div>
    <span id="start" hidden></span>
    <div id="terminal" class="textual-terminal" data-font-size="{font_size}"></div>
    <script>
      // textual.js connects on window.onload; give it this seat's websocket address first.
      (function () {{
        const url = new URL("ws/{ticket}", window.location.href);
        url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
        url.search = "";
        document.getElementById("terminal").dataset.sessionWebsocketUrl = url.href;
      }})();
    </script>
  </body>
</html>
"""

FULL_PAGE = """<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta http-equiv="refresh" content="{retry}" />
    <title>peersnap: the classroom is full</title>
    <style>
      body {{ background: #0c181f; color: rgba(255, 255, 255, 0.95); margin: 0;
             font-family: menlo, "Roboto Mono", monospace; display: flex; align-items: center;
             justify-content: center; height: 100vh; }}
      main {{ background: #12232d; padding: 32px; max-width: 640px; text-align: center; }}
      a {{ color: #ac5af4; }}
    </style>
  </head>
  <body>
    <main>
      <h1>The classroom is full</h1>
      <p id="message">{message}</p>
      <p>This page tries again by itself every {retry} seconds, or <a href="./">try again now</a>.</p>
    </main>
  </body>
</html>
"""


def dashboard_page(title: str, ticket: str, font_size: int) -> str:
    return DASHBOARD_PAGE.format(title=html.escape(title), ticket=html.escape(ticket), font_size=font_size)


def full_page(used: int, limit: int, retry: int) -> str:
    return FULL_PAGE.format(message=full_message(used, limit), retry=retry)


def full_message(used: int, limit: int) -> str:
    return f"The classroom is full ({used}/{limit} sessions); try again when a student closes a tab."
