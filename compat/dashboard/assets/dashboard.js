// Keeps a dashboard page live: every 2 seconds it fetches the page again
// and swaps in each element marked data-live (by id) from the fresh copy.
// The server renders everything; without this script the page is static.
"use strict";
(function () {
  const period = 2000;
  const indicator = document.getElementById("refresh");

  function show(text, state) {
    if (indicator) {
      indicator.textContent = text;
      indicator.dataset.state = state;
    }
  }

  async function refresh() {
    try {
      const resp = await fetch(location.href, { cache: "no-store", headers: { Accept: "text/html" } });
      const fresh = new DOMParser().parseFromString(await resp.text(), "text/html");
      for (const el of document.querySelectorAll("[data-live]")) {
        const next = fresh.getElementById(el.id);
        if (next) {
          el.replaceWith(document.adoptNode(next));
        }
      }
      if (resp.ok) {
        show("live", "ok");
      } else {
        show("HTTP " + resp.status, "error");
      }
    } catch (err) {
      show("not reachable, retrying", "error");
    }
    setTimeout(refresh, period);
  }

  show("live", "ok");
  setTimeout(refresh, period);
})();
