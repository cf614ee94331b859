// NPOHub page glue (no inline scripts anywhere: the CSP forbids them):
// toasts for messages carried in HX-Trigger and auto-hide; the header's 菜单 button on narrow
// screens; drop-down groups that open on click as well as hover (touch screens); the language
// menu that switches on change.
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

  function closeGroups(except) {
    document.querySelectorAll(".navgroup.open").forEach(function (group) {
      if (group === except) return;
      group.classList.remove("open");
      var label = group.querySelector(".navgroup-label");
      if (label) label.setAttribute("aria-expanded", "false");
    });
  }

  document.addEventListener("click", function (evt) {
    var toggle = evt.target.closest("[data-menu-toggle]");
    if (toggle) {
      var bar = toggle.closest("[data-topbar]");
      var open = bar.classList.toggle("menu-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      return;
    }
    var label = evt.target.closest(".navgroup-label");
    if (label) {
      var group = label.parentElement;
      closeGroups(group);
      var expanded = group.classList.toggle("open");
      label.setAttribute("aria-expanded", expanded ? "true" : "false");
      return;
    }
    if (!evt.target.closest(".navgroup")) closeGroups(null);
  });

  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") return;
    closeGroups(null);
    document.querySelectorAll("[data-topbar].menu-open").forEach(function (bar) {
      bar.classList.remove("menu-open");
      var toggle = bar.querySelector("[data-menu-toggle]");
      if (toggle) { toggle.setAttribute("aria-expanded", "false"); toggle.focus(); }
    });
  });

  document.addEventListener("change", function (evt) {
    var select = evt.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#toasts .toast").forEach(function (el) {
      setTimeout(function () { el.remove(); }, 6000);
    });
  });
})();

// Forms that ask before they submit: <form data-confirm="确定…？"> (instead of an inline
// onsubmit handler, which the Content-Security-Policy forbids).
(function () {
  document.addEventListener("submit", function (evt) {
    var form = evt.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) evt.preventDefault();
  });
})();

// A list's 导出 button (templates/components/export_button.html) sends the list's current
// filters: after htmx filtering (hx-push-url) they are in the address bar, not in the page.
(function () {
  document.addEventListener("submit", function (evt) {
    var form = evt.target.closest("form[data-export-form]");
    if (!form) return;
    form.querySelectorAll("input[data-export-filter]").forEach(function (el) { el.remove(); });
    new URLSearchParams(window.location.search).forEach(function (value, name) {
      if (name === "page" || name === "format" || name === "csrfmiddlewaretoken") return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      input.setAttribute("data-export-filter", "");
      form.appendChild(input);
    });
  });
})();
