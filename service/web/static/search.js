// Autocomplete for every search box (input.search-input with a ul.search-list listbox next to it).
// Progressive enhancement: without this script the form submits to /search and shows an HTML results page.
(function () {
  "use strict";

  function setup(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list) { return; }
    var timer = null;
    var active = -1;
    var lastQuery = "";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function render(hits) {
      list.textContent = "";
      hits.forEach(function (hit, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = list.id + "-opt-" + i;
        var a = document.createElement(hit.url ? "a" : "span");
        if (hit.url) { a.href = hit.url; }  // url is a local path or an http(s) IRI: the server never sends others
        a.textContent = hit.label;
        var type = document.createElement("small");
        type.textContent = " " + hit.type;
        a.appendChild(type);
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = hits.length === 0;
      input.setAttribute("aria-expanded", hits.length ? "true" : "false");
      active = -1;
    }

    function lookup() {
      var q = input.value.trim();
      if (q === lastQuery) { return; }
      lastQuery = q;
      if (q.length < 2) { close(); return; }
      fetch("/search?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (hits) { if (input.value.trim() === q) { render(hits.slice(0, 10)); } })
        .catch(function () { close(); });
    }

    function move(delta) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) { return; }
      if (active >= 0) { options[active].removeAttribute("aria-selected"); }
      active = (active + delta + options.length) % options.length;
      options[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[active].id);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
      else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0 && !list.hidden) {
        var link = list.querySelectorAll("[role=option]")[active].querySelector("a");
        if (link) { event.preventDefault(); window.location.href = link.href; }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 200); });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("input.search-input"), setup);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
