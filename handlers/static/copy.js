// Copy buttons of the back-office: a button with data-copy="ID" copies the
// value of the field ID. Without this script the field stays readonly and
// selectable, so the button is hidden until the script shows it. A button
// with data-beacon="PATH" also tells capsat the link was copied (a
// same-origin POST carrying data-csrf as the X-CSRF-Token header), for the
// response rate by channel; the copy does not wait for it.
"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var field = document.getElementById(button.getAttribute("data-copy"));
  var status = button.parentNode.querySelector(".copy-status");
  var beacon = button.getAttribute("data-beacon");
  if (!field) { return; }
  button.hidden = false;
  var tell = function () {
    if (!beacon || !window.fetch) { return; }
    window.fetch(beacon, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": button.getAttribute("data-csrf") || "" }
    }).catch(function () { /* the copy stands; only the figure misses it */ });
  };
  button.addEventListener("click", function () {
    var done = function () { if (status) { status.textContent = "Lien copié."; } tell(); };
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
});
