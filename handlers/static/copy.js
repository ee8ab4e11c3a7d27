// Copy buttons of the back-office: a button with data-copy="ID" copies the
// value of the field ID. Without this script the field stays readonly and
// selectable, so the button is hidden until the script shows it.
"use strict";
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var field = document.getElementById(button.getAttribute("data-copy"));
  var status = button.parentNode.querySelector(".copy-status");
  if (!field) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var done = function () { if (status) { status.textContent = "Lien copié."; } };
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
});
