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
