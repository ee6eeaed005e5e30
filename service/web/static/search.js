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
        li.dataset.label = hit.label;
        var a = document.createElement(hit.url ? "a" : "span");
        if (hit.url) { a.href = hit.url; }  // url is a local path or an http(s) IRI: the server never sends others
        var name = document.createElement("span");
        name.className = "search-option-label";
        name.textContent = hit.label;
        a.appendChild(name);
        var type = document.createElement("small");
        type.className = "search-option-type";
        type.textContent = " " + hit.type;
        a.appendChild(type);
        if (hit.matched && hit.matched !== hit.label) {  // found by another name: say which
          var alias = document.createElement("small");
          alias.className = "search-option-alias";
          alias.textContent = " (" + hit.matched + ")";
          a.appendChild(alias);
        }
        if (hit.description) {
          var about = document.createElement("small");
          about.className = "search-option-description";
          about.textContent = hit.description;
          a.appendChild(about);
        }
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = hits.length === 0;
      input.setAttribute("aria-expanded", hits.length ? "true" : "false");
      active = -1;
      if (hits.length) { keepInView(); }
    }

    // Whatever the stylesheet does at this width, the open list stays inside the viewport: shifted back by what
    // overflows on either side, and never wider than the viewport less a margin.
    function keepInView() {
      var margin = 8;
      list.style.transform = "";
      list.style.maxWidth = (document.documentElement.clientWidth - 2 * margin) + "px";
      var box = list.getBoundingClientRect();
      var width = document.documentElement.clientWidth;
      var shift = 0;
      if (box.right > width - margin) { shift = width - margin - box.right; }
      if (box.left + shift < margin) { shift = margin - box.left; }
      if (shift) { list.style.transform = "translateX(" + Math.round(shift) + "px)"; }
    }

    function lookup() {
      var q = input.value.trim();
      if (q === lastQuery) { return; }
      lastQuery = q;
      if (q.length < 2) { close(); return; }
      fetch("/search?limit=10&q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
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
      else if (event.key === "Enter" && active >= 0 && !list.hidden && fill) {
        fillIn(list.querySelectorAll("[role=option]")[active]);
        event.preventDefault();
      }
      else if (event.key === "Enter" && active >= 0 && !list.hidden) {
        var link = list.querySelectorAll("[role=option]")[active].querySelector("a");
        if (link) { event.preventDefault(); window.location.href = link.href; }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 200); });
    // A form field (a saved query's entity parameter, data-fill="label"): choosing an entity fills in its label,
    // which the server resolves, instead of opening the entity's page.
    var fill = input.dataset.fill === "label";
    function fillIn(option) {
      input.value = option.dataset.label;
      lastQuery = input.value.trim();
      close();
    }
    if (fill) {
      list.addEventListener("click", function (event) {
        var option = event.target.closest("[role=option]");
        if (option) { event.preventDefault(); fillIn(option); input.focus(); }
      });
    }
    window.addEventListener("resize", function () { if (!list.hidden) { keepInView(); } });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("input.search-input"), setup);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
