// NPOHub page glue: toasts for messages carried in HX-Trigger, and auto-hide.
(function () {
  function toast(level, text) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var el = document.createElement("div");
    el.className = "toast toast-" + level;
    el.textContent = text;
    box.appendChild(el);
    setTimeout(function () { el.remove(); }, 6000);
  }
  document.addEventListener("messages", function (evt) {
    (evt.detail.value || []).forEach(function (m) { toast(m.level, m.text); });
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#toasts .toast").forEach(function (el) {
      setTimeout(function () { el.remove(); }, 6000);
    });
  });
})();
