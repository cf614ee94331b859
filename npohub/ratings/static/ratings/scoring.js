// Expert scoring screen: keep the total in step with the inputs (no library needed).
(function () {
  "use strict";
  function update() {
    var total = 0;
    document.querySelectorAll("#score-form .score-input").forEach(function (input) {
      var value = parseFloat(input.value);
      if (!isNaN(value)) { total += value; }
    });
    var out = document.getElementById("score-total");
    if (out) { out.textContent = total.toFixed(1); }
  }
  document.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("score-input")) { update(); }
  });
  document.addEventListener("DOMContentLoaded", update);
})();
