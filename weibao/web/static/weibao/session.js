// Nothing typed is lost at the idle logout (accounts/middleware.py IdleTimeoutMiddleware):
// - about a minute before it, a warning with 保持登录 (POST to data-stay-url);
// - forms marked data-draft="name" are kept in this browser as they are typed, per user,
//   contract and form, and brought back into the empty form after signing in again.
// A draft goes when what it became is known: a form with data-draft-key (the hotline's
// submission key) when its key is among the page's data-sent-keys; another form when
// the page after its submit is not that form again (a form with errors comes back) and
// not the login page (where this script does nothing). Drafts older than a working day
// are dropped.
(function () {
  "use strict";
  var body = document.body;
  var owner = body && body.dataset.draftOwner;
  if (!owner) { return; } // signed out: drafts wait for their user
  var user = owner.split(":")[0];
  var LAST_REQUEST = "weibao:last-request:" + user;
  var PREFIX = "weibao:draft:" + owner + ":";
  var DRAFT_MAX_AGE_MS = 12 * 3600 * 1000;
  var WARN_SECONDS = 60;
  var idleSeconds = parseInt(body.dataset.idleSeconds || "0", 10);

  function read(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function write(key, value) {
    try {
      if (value === null) { window.localStorage.removeItem(key); } else { window.localStorage.setItem(key, value); }
    } catch (e) { /* storage full or refused: the form still works */ }
  }

  // --- drafts ------------------------------------------------------------------------

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.tagName !== "BUTTON" &&
        !/^(password|file|submit|button|reset|image)$/.test(el.type);
    });
  }
  function typed(el) { return el.tagName === "TEXTAREA" || /^(text|tel|email|search|url|number|date|datetime-local|time)$/.test(el.type); }

  function snapshot(form) {
    var data = {};
    var text = false;
    fields(form).forEach(function (el) {
      if (el.type === "checkbox") { data[el.name] = el.checked; return; }
      if (el.type === "radio") { if (el.checked) { data[el.name] = el.value; } return; }
      if (el.type === "select-multiple") {
        data[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
        return;
      }
      data[el.name] = el.value;
      if (typed(el) && el.value.trim()) { text = true; }
    });
    return text ? data : null;
  }

  function save(form, sent) {
    var data = snapshot(form);
    var key = PREFIX + form.dataset.draft;
    if (!data) { write(key, null); return; } // emptied by the user: nothing to keep
    write(key, JSON.stringify({ fields: data, savedAt: Date.now(), sent: !!sent }));
  }

  function restore(form, data) {
    fields(form).forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(data, el.name)) { return; }
      var value = data[el.name];
      if (el.type === "checkbox") { el.checked = !!value; return; }
      if (el.type === "radio") { el.checked = el.value === value; return; }
      if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = value.indexOf(o.value) !== -1; });
        return;
      }
      el.value = value;
    });
    // Caller history and knowledge suggestions follow the restored text (htmx triggers).
    fields(form).forEach(function (el) {
      if (typed(el) && el.value && el.hasAttribute("hx-get")) {
        el.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
    var notice = document.getElementById("draft-restored");
    if (notice) { notice.hidden = false; }
  }

  function hasErrors(form) { return !!form.querySelector(".field-error, .form-error"); }

  function settleDrafts() {
    var forms = {};
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
      forms[form.dataset.draft] = form;
    });
    var names = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(PREFIX) === 0) { names.push(key.slice(PREFIX.length)); }
      }
    } catch (e) { return; }
    names.forEach(function (name) {
      var key = PREFIX + name;
      var draft = null;
      try { draft = JSON.parse(read(key)); } catch (e) { draft = null; }
      if (!draft || !draft.fields || Date.now() - draft.savedAt > DRAFT_MAX_AGE_MS) { write(key, null); return; }
      var form = forms[name];
      var keyField = form && form.dataset.draftKey;
      if (keyField) {
        var sent = (form.dataset.sentKeys || "").split(" ");
        if (draft.fields[keyField] && sent.indexOf(draft.fields[keyField]) !== -1) { write(key, null); return; }
      } else if (draft.sent && !form) {
        write(key, null); // sent, and what followed was not the form again: it went through
        return;
      }
      if (!form) { return; }
      if (hasErrors(form)) { save(form, false); return; } // the server sent it back: keep what it shows
      restore(form, draft.fields);
      save(form, false);
    });
  }

  document.addEventListener("input", function (event) {
    var form = event.target && event.target.form;
    if (form && form.dataset.draft) { save(form, false); }
  });
  document.addEventListener("change", function (event) {
    var form = event.target && event.target.form;
    if (form && form.dataset.draft) { save(form, false); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.dataset && form.dataset.draft && !event.defaultPrevented) { save(form, true); }
    // Signing out on purpose ends the drafts too: they may hold a caller's phone number,
    // and the next person at a shared desk must not find them.
    if (form && form.hasAttribute && form.hasAttribute("data-signs-out")) { forgetDrafts(); }
  });

  function forgetDrafts() {
    var mine = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(PREFIX) === 0) { mine.push(key); }
      }
    } catch (e) { return; }
    mine.forEach(function (key) { write(key, null); });
  }

  settleDrafts();

  // --- the idle warning ------------------------------------------------------------------

  var warning = document.getElementById("idle-warning");
  var expired = document.getElementById("idle-expired");
  var stay = document.getElementById("idle-stay");
  if (!idleSeconds || !warning || !expired || !stay) { return; }
  var loadedAt = Date.now();
  var signedOut = false;

  // Every tab of this user shares one "last request": a busy tab keeps an idle one quiet.
  function seen() { write(LAST_REQUEST, String(Date.now())); }
  function lastRequest() { return Math.max(parseInt(read(LAST_REQUEST) || "0", 10) || 0, loadedAt); }
  function csrfToken() {
    try { return JSON.parse(body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function showSignedOut() {
    signedOut = true;
    warning.hidden = true;
    var login = document.getElementById("idle-login");
    if (login) {
      login.href = body.dataset.loginUrl + "?next=" + encodeURIComponent(window.location.pathname + window.location.search);
    }
    expired.hidden = false;
  }

  function tick() {
    if (signedOut) { return; }
    var left = idleSeconds - (Date.now() - lastRequest()) / 1000;
    if (left <= 0) { showSignedOut(); return; }
    warning.hidden = left > WARN_SECONDS;
  }

  stay.addEventListener("click", function () {
    stay.disabled = true;
    fetch(body.dataset.stayUrl, {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
    }).then(function (response) {
      if (response.ok) { seen(); warning.hidden = true; } else { showSignedOut(); }
    }).catch(function () { /* offline: the warning stays, the button can be pressed again */ })
      .then(function () { stay.disabled = false; });
  });

  document.addEventListener("htmx:afterRequest", seen);
  seen();
  window.setInterval(tick, 1000);
})();
