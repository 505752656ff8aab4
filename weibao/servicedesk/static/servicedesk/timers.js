// Live countdown between the 30-second refreshes of the SLA panel, in the reader's language:
// the patterns come from the page (weibao/core/durations.py), so the words match the server's.
(function () {
  function patterns() {
    var node = document.getElementById("duration-patterns");
    return node ? JSON.parse(node.textContent) : null;
  }
  function fill(pattern, values) {
    return pattern.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }
  function duration(p, s) {
    s = Math.abs(s);
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    if (d) { return h ? fill(p.days_hours, {days: d, hours: h}) : fill(p.days, {days: d}); }
    if (h) { return m ? fill(p.hours_minutes, {hours: h, minutes: m}) : fill(p.hours, {hours: h}); }
    if (m) { return fill(p.minutes, {minutes: m}); }
    return fill(p.seconds, {seconds: sec});
  }
  function tick() {
    var p = patterns();
    if (!p) { return; }
    document.querySelectorAll(".sla-timer").forEach(function (el) {
      if (el.dataset.state === "met") { return; }
      if (!el.dataset.base) { el.dataset.base = el.dataset.remaining; el.dataset.loaded = Date.now(); }
      var left = parseInt(el.dataset.base, 10);
      if (el.dataset.ticking === "1") { left -= Math.floor((Date.now() - parseInt(el.dataset.loaded, 10)) / 1000); }
      el.querySelector(".countdown").textContent = fill(left < 0 ? p.overdue : p.remaining, {duration: duration(p, left)});
    });
  }
  tick(); setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSwap", tick);
})();
