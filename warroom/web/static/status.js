// warroom status page: follow the viewer stream and swap in the server-rendered view.
// Without JavaScript the page is complete and refreshes itself (<noscript> meta refresh).
(function () {  // the index: re-read the list every 15 s (it changes rarely; no stream needed)
  "use strict";
  var index = document.getElementById("index");
  if (!index || !window.fetch || !window.DOMParser) return;
  setInterval(function () {
    fetch(window.location.href, { cache: "no-store" }).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("index");
        if (fresh && fresh.innerHTML !== index.innerHTML) index.innerHTML = fresh.innerHTML;
      }).catch(function () {});
  }, 15000);
})();
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.EventSource) return;
  var announce = document.getElementById("announce");
  var banner = document.getElementById("connection");
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function span(ms) {
    var m = Math.max(0, Math.floor(ms / 60000));
    return m < 60 ? m + " min" : Math.floor(m / 60) + " h " + pad(m % 60) + " min";
  }
  function tick() {  // elapsed and "overdue" move with the clock, between pushes
    var now = Date.now();
    live.querySelectorAll("[data-since]").forEach(function (el) {
      el.textContent = span(now - Date.parse(el.getAttribute("data-since")));
    });
    live.querySelectorAll("[data-due]").forEach(function (el) {
      var late = now >= Date.parse(el.getAttribute("data-due"));
      if (late && !el.classList.contains("overdue")) {
        el.classList.add("overdue");
        var dd = el.querySelector("dd"), when = el.querySelector("time");
        if (dd && when) dd.innerHTML = "<strong>overdue</strong> (was " + when.outerHTML + ")";
      }
    });
  }
  var source = new EventSource(live.getAttribute("data-stream"));
  source.addEventListener("view", function (message) {
    var data = JSON.parse(message.data);
    live.innerHTML = data.html;
    live.setAttribute("data-seq", message.lastEventId);
    if (data.announce) announce.textContent = data.announce;
    banner.hidden = true;
    tick();
  });
  source.addEventListener("gone", function () { source.close(); window.location.reload(); });
  source.onopen = function () { banner.hidden = true; };
  source.onerror = function () { banner.hidden = source.readyState === EventSource.OPEN; };
  setInterval(tick, 30000);
})();
