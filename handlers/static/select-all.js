// "Tout cocher" on the orders list: a checkbox with data-select-all="NAME"
// checks every checkbox NAME of its form. Without the script it stays
// hidden and each order is checked by hand.
"use strict";
document.querySelectorAll("input[data-select-all]").forEach(function (all) {
  var boxes = all.form.querySelectorAll("input[type=checkbox][name='" + all.getAttribute("data-select-all") + "']");
  all.closest(".choice").hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (b) { b.checked = all.checked; });
  });
});
