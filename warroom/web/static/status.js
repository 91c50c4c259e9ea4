// warroom status page: follow the viewer stream and swap in the server-rendered view.
// Without JavaScript the page is complete and refreshes itself (<noscript> meta refresh),
// and shows times in UTC; with it, every <time datetime> reads in the reader's own zone.
(function () {
  "use strict";
  var format = window.Intl && Intl.DateTimeFormat
    ? new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" })
    : null;
  function localise(root) {
    if (!format) return;
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("datetime"));
      if (!isNaN(at)) el.textContent = format.format(new Date(at));
    });
  }
  window.warroomLocalise = localise;
  localise(document);
  var zone = document.getElementById("zone");
  if (zone && format) zone.textContent = "Times in your time zone (" + format.resolvedOptions().timeZone + ").";
})();
(function () {  // the index: re-read the list every 15 s (it changes rarely; no stream needed)
  "use strict";
  var index = document.getElementById("index");
  if (!index || !window.fetch || !window.DOMParser) return;
  var etag = null;
  setInterval(function () {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(window.location.href, { cache: "no-store", headers: headers }).then(function (r) {
      if (r.status === 304 || !r.ok) return null;
      etag = r.headers.get("ETag");
      return r.text();
    }).then(function (html) {
      if (!html) return;
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("index");
      if (!fresh) return;
      window.warroomLocalise(fresh);
      if (fresh.innerHTML !== index.innerHTML) index.innerHTML = fresh.innerHTML;
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
  // A network error (a restart) the browser retries by itself; a refused stream (429: the
  // server's streams are all taken) it never does: ask the server when to come back
  // (Retry-After), wait that long, doubling while refused, plus a random share so a refused
  // crowd does not return at once, and try again from the view this page has.
  var refusals = 0;
  function streamUrl() {
    return live.getAttribute("data-stream").replace(/([?&]after=)\d+/, "$1" + (live.getAttribute("data-seq") || "0"));
  }
  function later(seconds) {
    var wait = Math.min(60, Math.max(seconds, 1) * Math.pow(2, Math.min(refusals, 4)));
    refusals += 1;
    setTimeout(connect, wait * (1 + Math.random() / 2) * 1000);
  }
  function refused(url) {
    if (!window.fetch || !window.AbortController) { later(5); return; }
    var asking = new AbortController();
    fetch(url, { cache: "no-store", signal: asking.signal, headers: { Accept: "text/event-stream" } }).then(function (r) {
      asking.abort();  // only its status and Retry-After were wanted
      if (r.status === 404) window.location.reload();  // the link stopped working: the page says so
      else if (r.ok) connect();
      else later(parseInt(r.headers.get("Retry-After"), 10) || 5);
    }).catch(function () { later(5); });
  }
  function connect() {
    var url = streamUrl(), source = new EventSource(url);
    source.addEventListener("view", function (message) {
      var data = JSON.parse(message.data);
      live.innerHTML = data.html;
      window.warroomLocalise(live);
      live.setAttribute("data-seq", message.lastEventId);
      if (data.announce) announce.textContent = data.announce;
      banner.hidden = true;
      tick();
    });
    source.addEventListener("gone", function () { source.close(); window.location.reload(); });
    source.onopen = function () { banner.hidden = true; refusals = 0; };
    source.onerror = function () {
      banner.hidden = source.readyState === EventSource.OPEN;
      if (source.readyState === EventSource.CLOSED) refused(url);
    };
  }
  connect();
  setInterval(tick, 30000);
})();
