"""The trainer's page: a live table of the seats and the class's controls (served by tui/trainer.py).

The page moves its token from its address to the tab's sessionStorage (so it is not left in
the address bar) and sends it as a header with every request. Students' text (seat names,
commands) goes into the table with `textContent` only, never as HTML.
"""

from __future__ import annotations

import html

TRAINER_PAGE = """<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>peersnap classroom: trainer</title>
    <style>
      body { background: #0c181f; color: rgba(255, 255, 255, 0.95); margin: 0; padding: 16px 24px;
             font-family: menlo, "Roboto Mono", monospace; font-size: 14px; }
      h1 { font-size: 18px; margin: 0 0 12px 0; }
      table { border-collapse: collapse; width: 100%; margin: 12px 0; }
      th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #24404f; vertical-align: top; }
      th { color: #8fb8cc; font-weight: normal; }
      td.done { color: #5fd35f; font-size: 16px; }
      td.bad { color: #ff8080; }
      .controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
      input, select, button { font-family: inherit; font-size: 14px; padding: 6px 10px; background: #12232d;
             color: inherit; border: 1px solid #2f5366; }
      button { background: #5e0ba7; border: none; cursor: pointer; }
      button:hover { background: #ac5af4; }
      #message { width: 36em; }
      #frozen { color: #ffcc66; }
      #events { color: #8fb8cc; white-space: pre-line; }
      #error { color: #ff8080; }
    </style>
  </head>
  <body>
    <h1>peersnap classroom &middot; <span id="count">0</span> seats &middot; <span id="starting"></span>
      <span id="frozen"></span></h1>
    <div class="controls">
      <input id="message" maxlength="500" placeholder="A message to every seat" />
      <button id="send" type="button">Send to every seat</button>
      <button id="freeze" type="button">Freeze time</button>
      <button id="release" type="button">Release time</button>
    </div>
    <div class="controls">
      <select id="lesson">{lessons}</select><button id="push-lesson" type="button">Push lesson to all seats</button>
      <select id="scenario">{scenarios}</select>
      <button id="push-scenario" type="button">Push scenario to all seats</button>
      <span id="error"></span>
    </div>
    <table>
      <thead><tr><th>seat</th><th>lesson and step</th><th></th><th>last command</th><th>rc</th>
        <th>last refusal</th><th>idle</th><th>page</th><th>notes</th></tr></thead>
      <tbody id="seats"></tbody>
    </table>
    <div id="events"></div>
    <script>
      const here = new URL(window.location.href);
      if (here.searchParams.get("token")) {
        sessionStorage.setItem("peersnap-trainer", here.searchParams.get("token"));
        here.searchParams.delete("token");
        history.replaceState(null, "", here.pathname + here.search);
      }
      const token = sessionStorage.getItem("peersnap-trainer") || "";
      const headers = {"X-Trainer-Token": token, "Content-Type": "application/json"};
      const $ = (id) => document.getElementById(id);
      function cell(tr, text, cls) {
        const td = document.createElement("td");
        td.textContent = text;
        if (cls) td.className = cls;
        tr.appendChild(td);
      }
      function idle(seconds) {
        return seconds < 60 ? seconds + " s" : Math.floor(seconds / 60) + " min " + (seconds % 60) + " s";
      }
      async function refresh() {
        try {
          const response = await fetch("trainer/seats", {headers, cache: "no-store"});
          if (!response.ok) { $("error").textContent = await response.text(); return; }
          const state = await response.json();
          $("count").textContent = state.seats.length + "/" + state.max_sessions;
          $("starting").textContent = "new seats start on " + state.starting;
          $("frozen").textContent = state.frozen ? "· time is frozen" : "";
          const body = $("seats");
          body.replaceChildren();
          for (const seat of state.seats) {
            const tr = document.createElement("tr");
            tr.dataset.seat = seat.seat;
            cell(tr, seat.seat);
            cell(tr, seat.lesson);
            cell(tr, seat.done ? "\\u2714" : "", "done");
            cell(tr, seat.command);
            cell(tr, seat.rc === null || seat.rc === undefined ? "" : String(seat.rc), seat.rc ? "bad" : "");
            cell(tr, seat.refusal, "bad");
            cell(tr, idle(seat.idle));
            cell(tr, seat.page);
            cell(tr, seat.notes.join("; "), seat.notes.length ? "bad" : "");
            body.appendChild(tr);
          }
          $("events").textContent = state.events.join("\\n");
        } catch (error) {
          $("error").textContent = "the server does not answer: " + error;
        }
      }
      async function act(path, body) {
        const response = await fetch("trainer/" + path, {method: "POST", headers, body: JSON.stringify(body || {})});
        $("error").textContent = response.ok ? "" : await response.text();
        refresh();
      }
      $("send").onclick = () => { if ($("message").value.trim()) act("message", {text: $("message").value}); };
      $("freeze").onclick = () => act("freeze");
      $("release").onclick = () => act("release");
      $("push-lesson").onclick = () => act("push", {lesson: $("lesson").value});
      $("push-scenario").onclick = () => act("push", {scenario: $("scenario").value});
      refresh();
      setInterval(refresh, 1000);
    </script>
  </body>
</html>
"""


def _options(names: list[str]) -> str:
    return "".join(f'<option value="{html.escape(name)}">{html.escape(name)}</option>' for name in names)


def trainer_page(lessons: list[str], scenarios: list[str]) -> str:
    return TRAINER_PAGE.replace("{lessons}", _options(lessons)).replace("{scenarios}", _options(scenarios))
