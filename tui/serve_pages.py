"""The two HTML pages of `peersnap serve`: the dashboard page and "the classroom is full".

The dashboard page is textual-serve's own page (textual-serve 1.1.3, app_index.html)
with these changes for a classroom: no Google Fonts (a lab may have no internet, and the
page would wait for it); the page claims its seat (`POST /seat` with the ticket it was
given, or the seat token it kept) before textual.js connects, and keeps the seat's token;
the websocket address is worked out in the browser from the page's own address (so it
works behind any host name, LAN address or proxy); a lost connection reconnects to the
same seat; a one-line bar above the terminal takes the student's name for the trainer.
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
      #seat-bar {{
        position: absolute; top: 0; left: 0; right: 0; height: 24px; display: flex; align-items: center;
        gap: 8px; padding: 0 8px; font: 13px "Roboto Mono", menlo, monospace; color: #8fb8cc;
      }}
      #seat-bar input {{
        font: inherit; background: #12232d; color: rgba(255, 255, 255, 0.95); border: 1px solid #2f5366;
        padding: 1px 6px; width: 16em;
      }}
      body .textual-terminal.seat {{
        position: absolute; top: 24px; left: 0; width: 100vw; height: calc(100vh - 24px);
      }}
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
      .closed-dialog, .reconnect-dialog {{ display: none; }}
      body.-closed .closed-dialog {{ display: flex; }}
      body.-reconnecting .reconnect-dialog {{ display: flex; }}
      body.-reconnecting .closed-dialog {{ display: none; }}
    </style>
  </head>
  <body>
    <div id="seat-bar">
      <label for="seat-name">{title} &middot; your name for the trainer:</label>
      <input id="seat-name" maxlength="40" autocomplete="name" placeholder="type it, then Enter" />
    </div>
    <div class="dialog-container intro-dialog">
      <div class="shade"></div>
      <div class="intro"><div>{title}</div><div id="intro-message">Starting your own simulator&hellip;</div></div>
    </div>
    <div class="dialog-container reconnect-dialog">
      <div class="shade"></div>
      <div class="intro"><div>The connection to the classroom was lost.</div>
        <div>Reconnecting to your simulator (your world is kept)&hellip;</div></div>
    </div>
    <div class="dialog-container closed-dialog">
      <div class="shade"></div>
      <div class="intro">
        <div class="message" id="closed-message">This session has ended: the dashboard quit, or the server stopped.</div>
        <button type="button" id="fresh">Start a fresh simulator</button>
      </div>
    </div>
    <span id="start" hidden></span>
    <div id="terminal" class="textual-terminal seat" data-font-size="{font_size}"></div>
    <script>
      // The seat: claimed before textual.js connects (it connects on window.onload), its token
      // kept in this tab (sessionStorage) and as the browser's last seat (localStorage).
      (function () {{
        const KEY = "peersnap-seat", NAME = "peersnap-name", GRACE_MS = {grace_ms};
        const terminal = document.getElementById("terminal"), nameField = document.getElementById("seat-name");
        const connectTerminal = window.onload;
        nameField.value = localStorage.getItem(NAME) || "";
        let seat = "";

        async function claim(ticket) {{
          const mine = sessionStorage.getItem(KEY), last = localStorage.getItem(KEY);
          const response = await fetch("seat", {{method: "POST", headers: {{"Content-Type": "application/json"}},
            body: JSON.stringify({{ticket, seat: mine || last || "", mine: !!mine, name: nameField.value}})}});
          const answer = await response.json();
          if (!response.ok) {{
            document.getElementById("intro-message").textContent = answer.full || "No seat: try again later.";
            setTimeout(() => window.location.reload(), {retry} * 1000);
            return "";
          }}
          sessionStorage.setItem(KEY, answer.seat);
          localStorage.setItem(KEY, answer.seat);
          if (answer.name && !nameField.value) nameField.value = answer.name;
          return answer.seat;
        }}

        window.onload = async (event) => {{
          seat = await claim("{ticket}");
          if (!seat) return;
          const url = new URL("ws/" + seat, window.location.href);
          url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
          url.search = "";
          terminal.dataset.sessionWebsocketUrl = url.href;
          connectTerminal(event);
        }};

        nameField.addEventListener("change", () => {{
          localStorage.setItem(NAME, nameField.value);
          if (seat) claim("");
        }});
        nameField.addEventListener("keydown", (event) => {{
          if (event.key === "Enter") {{ nameField.blur(); document.querySelector(".xterm-helper-textarea")?.focus(); }}
        }});

        function forget() {{
          if (sessionStorage.getItem(KEY) === seat) sessionStorage.removeItem(KEY);
          if (localStorage.getItem(KEY) === seat) localStorage.removeItem(KEY);
        }}
        document.getElementById("fresh").onclick = () => {{ forget(); window.location.href = window.location.pathname; }};

        // How the socket closed decides what the page does: a seat that ended (the dashboard
        // quit, the server stopped, no such seat) or moved to another tab stays closed; anything
        // else (a network blip, a message the server refused) reconnects to the same seat.
        const ENDED = {{1000: "", 1001: "The classroom server stopped.", 4004: "",
                        4001: "This seat was opened in another tab."}};
        let lostAt = 0;
        function closed(code) {{
          if (code in ENDED) {{
            if (code !== 4001) forget();
            if (ENDED[code]) document.getElementById("closed-message").textContent = ENDED[code];
            return;
          }}
          lostAt = lostAt || Date.now();
          document.body.classList.add("-reconnecting");
          reconnect();
        }}
        async function reconnect() {{
          if (Date.now() - lostAt > GRACE_MS) {{ document.body.classList.remove("-reconnecting"); return; }}
          try {{
            const response = await fetch("status", {{cache: "no-store"}});
            if (response.ok) {{ window.location.href = window.location.pathname + "?resume"; return; }}
          }} catch (error) {{ /* still away: try again */ }}
          setTimeout(reconnect, 2000);
        }}
        const NativeWebSocket = window.WebSocket;
        window.WebSocket = function (url, protocols) {{
          const socket = protocols === undefined ? new NativeWebSocket(url) : new NativeWebSocket(url, protocols);
          socket.addEventListener("close", (event) => closed(event.code));
          return socket;
        }};
        window.WebSocket.prototype = NativeWebSocket.prototype;
        Object.assign(window.WebSocket, {{CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3}});
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
    <script>
      // A student who has a seat (a reload while the classroom is full) goes straight back to it.
      if (sessionStorage.getItem("peersnap-seat")) window.location.replace("./?resume");
    </script>
  </body>
</html>
"""


def dashboard_page(title: str, ticket: str, font_size: int, grace: float = 120.0, retry: int = 15) -> str:
    return DASHBOARD_PAGE.format(title=html.escape(title), ticket=html.escape(ticket), font_size=font_size,
                                 grace_ms=int(grace * 1000), retry=retry)


def full_page(used: int, limit: int, retry: int) -> str:
    return FULL_PAGE.format(message=full_message(used, limit), retry=retry)


def full_message(used: int, limit: int) -> str:
    return f"The classroom is full ({used}/{limit} sessions); try again when a student closes a tab."
