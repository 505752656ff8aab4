// Live countdown between the 30-second refreshes of the SLA panel.
(function () {
  function fmt(s) {
    var neg = s < 0; s = Math.abs(s);
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    var text = (d ? d + "d " : "") + String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0") + ":" + String(sec).padStart(2, "0");
    return (neg ? "-" : "") + text;
  }
  var loaded = Date.now();
  function tick() {
    document.querySelectorAll(".sla-timer").forEach(function (el) {
      if (!el.dataset.base) { el.dataset.base = el.dataset.remaining; el.dataset.loaded = Date.now(); }
      var left = parseInt(el.dataset.base, 10);
      if (el.dataset.ticking === "1") { left -= Math.floor((Date.now() - parseInt(el.dataset.loaded, 10)) / 1000); }
      el.querySelector(".countdown").textContent = fmt(left);
    });
  }
  tick(); setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSwap", tick);
})();
