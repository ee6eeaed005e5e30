// SPARQL query editor: progressive enhancement of form.sparql-query (textarea[name=query], a submit button).
// Adds: examples from the saved queries, Ctrl/Cmd+Enter to run, results fetched as SPARQL JSON and shown in
// table.results with entity links, download links in every result format, and the query kept in the URL.
// Without this script the form still works: it submits to /sparql and the server renders the result.
(function () {
  "use strict";
  var RESULT_FORMATS = ["json", "xml", "csv", "tsv"];

  function base() {
    var meta = document.querySelector('meta[name="histkg-base"]');
    return meta ? meta.getAttribute("content") : location.origin + "/";
  }

  function href(iri) {
    var b = base();
    if (iri.indexOf(b) === 0) { return "/" + iri.slice(b.length); }
    return /^https?:\/\//i.test(iri) ? iri : null;  // other schemes (javascript:, data:, ...) are never linked
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function cell(term) {
    var td = el("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      var target = href(term.value);
      var a = el(target ? "a" : "span", term.value);
      if (target) { a.href = target; }
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.textContent = term.value;
      var note = term["xml:lang"] ? "@" + term["xml:lang"] : (term.datatype ? term.datatype.replace(/^.*[#/]/, "xsd:") : "");
      if (note) { td.appendChild(el("span", " " + note, "note")); }
    }
    return td;
  }

  function params(form, extra) {
    var query = form.querySelector("textarea[name=query]").value;
    var box = form.querySelector("input[type=checkbox][name=infer]");
    var p = new URLSearchParams({ query: query, infer: box && !box.checked ? "false" : "true" });
    Object.keys(extra || {}).forEach(function (k) { p.set(k, extra[k]); });
    return p;
  }

  function section(form) {
    var out = document.querySelector("section.sparql-result");
    if (!out) {
      out = el("section", null, "sparql-result");
      form.parentNode.insertBefore(out, form.nextSibling);
    }
    out.textContent = "";
    out.appendChild(el("h2", "Result"));
    return out;
  }

  function render(form, data, seconds) {
    var out = section(form);
    if (data.boolean !== undefined) {
      out.appendChild(el("p", String(data.boolean), "boolean"));
    } else {
      var vars = data.head.vars || [];
      var rows = data.results.bindings;
      out.appendChild(el("p", rows.length + (rows.length === 1 ? " row" : " rows") + " in " + seconds + " s", "result-meta"));
      var table = el("table", null, "results");
      var head = el("tr");
      vars.forEach(function (v) { head.appendChild(el("th", v)); });
      table.appendChild(el("thead")).appendChild(head);
      var body = table.appendChild(el("tbody"));
      rows.forEach(function (row) {
        var tr = el("tr");
        vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
        body.appendChild(tr);
      });
      out.appendChild(table);
    }
    var links = el("p", "Download: ", "downloads");
    RESULT_FORMATS.forEach(function (name, i) {
      var a = el("a", name);
      a.href = form.getAttribute("action") + "?" + params(form, { format: name }).toString();
      links.appendChild(a);
      if (i < RESULT_FORMATS.length - 1) { links.appendChild(document.createTextNode(" · ")); }
    });
    out.appendChild(links);
  }

  function run(form, event) {
    var text = form.querySelector("textarea[name=query]").value;
    var stripped = text.replace(/#[^\n]*/g, " ").replace(/<[^>]*>/g, " ").replace(/"[^"\n]*"/g, " ");
    if (/\b(CONSTRUCT|DESCRIBE)\b/i.test(stripped)) { return; }  // graph results: the server renders them
    event.preventDefault();
    var started = performance.now();
    var p = params(form);
    history.replaceState(null, "", location.pathname + "?" + p.toString());
    fetch(form.getAttribute("action") + "?" + p.toString(), { headers: { "Accept": "application/sparql-results+json" } })
      .then(function (r) {
        return r.json().then(function (data) { return { ok: r.ok, data: data }; });
      })
      .then(function (res) {
        if (!res.ok) {
          var out = section(form);
          out.appendChild(el("p", (res.data.error && res.data.error.message) || "the query failed", "error-message"));
          return;
        }
        render(form, res.data, ((performance.now() - started) / 1000).toFixed(3));
      })
      .catch(function () { form.submit(); });
  }

  function examples(form, textarea) {
    fetch("/queries", { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (saved) {
        if (!saved.length) { return; }
        var label = el("label", "Examples: ", "examples");
        var select = el("select");
        select.name = "";
        select.appendChild(el("option", "— pick a saved query —"));
        saved.forEach(function (q, i) {
          var option = el("option", q.title);
          option.value = String(i);
          select.appendChild(option);
        });
        select.addEventListener("change", function () {
          var q = saved[Number(select.value)];
          if (q) { textarea.value = q.text; textarea.focus(); }
        });
        label.appendChild(select);
        form.insertBefore(label, form.firstChild);
      })
      .catch(function () { /* examples are optional */ });
  }

  function init() {
    var form = document.querySelector("form.sparql-query");
    if (!form) { return; }
    var textarea = form.querySelector("textarea[name=query]");
    var fromUrl = new URLSearchParams(location.search).get("query");
    if (fromUrl && !textarea.value) { textarea.value = fromUrl; }
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      }
    });
    form.addEventListener("submit", function (event) { run(form, event); });
    examples(form, textarea);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
