// Ctrl+Enter anywhere in the call form: answered on the call. Alt+F: needs follow-up.
document.addEventListener("keydown", function (event) {
  var form = document.getElementById("call-form");
  if (!form) { return; }
  var target = null;
  if (event.ctrlKey && event.key === "Enter") { target = "answered"; }
  if (event.altKey && (event.key === "f" || event.key === "F")) { target = "follow_up"; }
  if (target) {
    event.preventDefault();
    form.querySelector('[data-hotkey="' + target + '"]').click();
  }
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
