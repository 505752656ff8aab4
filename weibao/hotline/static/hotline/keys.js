// Ctrl+Enter anywhere in the call form: answered on the call. Alt+F: needs follow-up.
// These keys are handled here only: no button carries accesskey="f", because Chromium
// fires an accesskey on the key event after the one handled here whatever the page does,
// and one call became two tickets. A held key (auto-repeat) does not send again, and the
// form's submission key makes any repeat that still gets through the same ticket.
document.addEventListener("keydown", function (event) {
  var form = document.getElementById("call-form");
  if (!form) { return; }
  var target = null;
  if (event.ctrlKey && !event.altKey && event.key === "Enter") { target = "answered"; }
  if (event.altKey && !event.ctrlKey && (event.key === "f" || event.key === "F" || event.code === "KeyF")) {
    target = "follow_up";
  }
  if (target) {
    event.preventDefault();
    if (event.repeat) { return; }
    form.querySelector('[data-hotkey="' + target + '"]').click();
  }
});

// One form, one send: a second submit while the first is on its way is dropped.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form || form.id !== "call-form") { return; }
  if (form.dataset.sending === "1") { event.preventDefault(); return; }
  form.dataset.sending = "1";
}, true);

// Coming back to the page from the browser's history brings the form back usable.
window.addEventListener("pageshow", function () {
  var form = document.getElementById("call-form");
  if (form) { delete form.dataset.sending; }
});

// The call starts at the first keystroke in the phone or question field, not when the
// page was drawn: the screen waits between calls. Kept when the server re-renders the
// form after an error (the field is then already set). The server clamps the value.
document.addEventListener("input", function (event) {
  var form = document.getElementById("call-form");
  var id = event.target && event.target.id;
  if (!form || !form.contains(event.target) || (id !== "phone" && id !== "question")) { return; }
  var started = form.querySelector('input[name="started_at"]');
  if (started && !started.value) { started.value = new Date().toISOString(); }
});
