// SPARQL query editor: progressive enhancement of form.sparql-query (textarea[name=query], a submit button).
// With static/vendor/codemirror-sparql.js loaded (window.HistkgCodeMirror), the textarea becomes a CodeMirror 6
// editor: SPARQL highlighting, completion of the service's prefixes (after PREFIX, and for prefixed names, declaring
// an undeclared one), Ctrl/Cmd+Enter to run, and the position of a syntax error marked. Without CodeMirror the
// textarea stays and still runs with Ctrl+Enter. Either way: examples from the saved queries, results fetched as
// SPARQL JSON and shown like the server's table (short names, local IRIs linked to their pages, a literal's datatype
// or language on hover), readable errors, download links in every result format, and the query kept in the URL.
// Without JavaScript the form submits to /sparql and the server renders the result.
(function () {
  "use strict";
  var RESULT_FORMATS = ["json", "xml", "csv", "tsv"];
  var CM = window.HistkgCodeMirror;
  var marked = false;  // an error position is marked in the editor

  // --- terms as the server's table shows them -------------------------------------------------------------------
  function base() {
    var meta = document.querySelector('meta[name="histkg-base"]');
    return meta ? meta.getAttribute("content") : location.origin + "/";
  }

  // The service's prefixes, in the server's order, from <script type="application/json" id="sparql-prefixes">.
  function knownPrefixes() {
    var node = document.getElementById("sparql-prefixes");
    try { return node ? JSON.parse(node.textContent) : []; } catch (e) { return []; }
  }

  // hk:Person where a prefix fits and the rest is a plain local name, as service.rdf.namespaces.shorten does.
  function shorten(iri, prefixes) {
    for (var i = 0; i < prefixes.length; i++) {
      var ns = prefixes[i][1];
      if (iri.indexOf(ns) === 0) {
        var local = iri.slice(ns.length);
        if (local && /^[\p{L}\p{N}_.-]+$/u.test(local) && local.slice(-1) !== ".") { return prefixes[i][0] + ":" + local; }
      }
    }
    return iri;
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

  function cell(term, prefixes) {
    var td = el("td");
    if (!term) { td.className = "unbound"; return td; }
    if (term.type === "uri") {
      var target = href(term.value);
      var a = el(target ? "a" : "span", shorten(term.value, prefixes));
      if (target) { a.href = target; }
      a.title = term.value;
      td.className = "iri";
      td.appendChild(a);
    } else if (term.type === "bnode") {
      td.className = "bnode";
      td.textContent = "_:" + term.value;
    } else {
      td.className = "literal";
      td.textContent = term.value;
      var dt = term.datatype && term.datatype !== "http://www.w3.org/2001/XMLSchema#string" ? shorten(term.datatype, prefixes) : "";
      var note = term["xml:lang"] ? "@" + term["xml:lang"] : dt;
      if (note) { td.title = note; }
    }
    return td;
  }

  // --- WKT points on a map ----------------------------------------------------------------------------------------
  // The same rule as the server's page (service.features.geo.points): every WKT POINT of a row, named by the row's
  // first IRI (the map gives a place of the dataset its label and page) or else its first plain string; distinct
  // (point, name) pairs, the first MAX_POINTS. The map is the server's drawing (/map/points), fetched and shown here.
  var WKT = "http://www.opengis.net/ont/geosparql#wktLiteral";
  var MAX_POINTS = 200;
  var GET_LIMIT = 2000;  // a link to the map's own page up to this many characters of query string
  var POINT = /^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*$/i;

  function isPoint(term) {
    if (!term || term.type !== "literal" || term.datatype !== WKT) { return false; }
    var m = POINT.exec(term.value);
    return !!m && Math.abs(Number(m[1])) <= 180 && Math.abs(Number(m[2])) <= 90;
  }

  function isString(term) {
    return term && term.type === "literal" && !isPoint(term) &&
      (!term.datatype || term.datatype === "http://www.w3.org/2001/XMLSchema#string" || !!term["xml:lang"]);
  }

  function resultPoints(vars, rows) {
    var seen = {}, points = [];
    rows.forEach(function (row) {
      var terms = vars.map(function (v) { return row[v]; });
      var iri = terms.filter(function (t) { return t && t.type === "uri"; })[0];
      var label = iri ? null : terms.filter(isString)[0];
      terms.filter(isPoint).forEach(function (t) {
        var p = { wkt: t.value, iri: iri ? iri.value : "", label: label ? label.value.slice(0, 200) : "" };
        var key = JSON.stringify([p.wkt, p.iri, p.label]);
        if (!seen[key]) { seen[key] = true; points.push(p); }
      });
    });
    return points;
  }

  function showMap(holder, button, body) {
    var old = holder.querySelector("figure.map, .map-error");
    if (old) {  // the map is shown: the button hides it
      old.remove();
      button.textContent = "Show on map";
      button.setAttribute("aria-expanded", "false");
      return;
    }
    button.disabled = true;
    fetch("/map/points", { method: "POST", body: body, headers: { "Accept": "text/html" } })
      .then(function (r) { return r.text().then(function (text) { return { ok: r.ok, text: text }; }); })
      .then(function (res) {
        var page = new DOMParser().parseFromString(res.text, "text/html");
        var figure = res.ok ? page.querySelector("figure.map") : null;
        if (!figure) {
          var reason = page.querySelector("main p, p");
          holder.appendChild(el("p", "No map: " + (reason ? reason.textContent.trim() : "the server did not draw it"), "map-error sparql-error"));
        } else {
          holder.appendChild(document.importNode(figure, true));
          button.textContent = "Hide map";
          button.setAttribute("aria-expanded", "true");
        }
      })
      .catch(function () { holder.appendChild(el("p", "No map: the server did not answer", "map-error sparql-error")); })
      .then(function () { button.disabled = false; });
  }

  function mapControl(vars, rows) {
    var points = resultPoints(vars, rows);
    if (!points.length) { return null; }
    var shown = points.slice(0, MAX_POINTS);
    var p = new URLSearchParams();
    shown.forEach(function (pt) { p.append("wkt", pt.wkt); p.append("iri", pt.iri); p.append("label", pt.label); });
    var holder = el("div", null, "map-points");
    var button = el("button", "Show on map");
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function () { showMap(holder, button, p); });
    holder.appendChild(button);
    holder.appendChild(document.createTextNode(" "));
    var count = points.length + " WKT point" + (points.length === 1 ? "" : "s") + (points.length > shown.length ? ": the first " + shown.length : "");
    holder.appendChild(el("span", count, "muted"));
    if (p.toString().length <= GET_LIMIT) {
      holder.appendChild(document.createTextNode(" · "));
      var a = el("a", "the map on its own page");
      a.href = "/map/points?" + p.toString();
      holder.appendChild(a);
    }
    return holder;
  }

  // The server's page offers the map as a form (a link without script); here it opens in place.
  function enhanceServedMap() {
    var served = document.querySelector("form.map-points");
    if (!served) { return; }
    var button = served.querySelector("button");
    button.setAttribute("aria-expanded", "false");
    served.addEventListener("submit", function (event) {
      event.preventDefault();
      showMap(served, button, new URLSearchParams(new FormData(served)));
    });
  }

  // --- errors -----------------------------------------------------------------------------------------------------
  // The endpoint says "syntax error: error at LINE:COLUMN: expected one of ..." (the engine's words); this reads
  // better and gives the position to mark. Character classes in the engine's list ("['A' ..= 'Z' | ...]") say
  // "a name goes on here"; they are folded into words.
  function readableError(message, query, prefixes) {
    var m = /error at (\d+):(\d+):\s*([\s\S]*)$/.exec(message || "");
    if (!m) { return { text: message || "the query failed" }; }
    var line = Number(m[1]), column = Number(m[2]), detail = m[3].trim();
    var fix = null;
    var undeclared = undeclaredPrefixes(query);
    if (/Prefix not found/.test(detail) && undeclared.length) {
      var known = prefixes.filter(function (p) { return p[0] === undeclared[0]; })[0];
      detail = "the prefix " + undeclared[0] + ": is not declared" + (known ? " (PREFIX " + known[0] + ": <" + known[1] + ">)" : "");
      fix = known || null;
    } else if (/^expected/.test(detail)) {
      var words = [], classes = false;
      detail.replace(/^expected (one of )?/, "").split(/,\s*(?![^\[]*\])/).forEach(function (item) {
        item = item.trim();
        if (item.charAt(0) === "[") { classes = true; } else if (item) { words.push(item); }
      });
      if (classes) { words.push("a name or a value"); }
      detail = "expected " + (words.length > 1 ? "one of " : "") + words.join(", ");
      if (words.indexOf("Prefix not found") >= 0) { detail = "a prefix used here is not declared (add PREFIX name: <namespace>)"; }
    }
    return { text: "Syntax error at line " + line + ", column " + column + ": " + detail, line: line, column: column, fix: fix };
  }

  function undeclaredPrefixes(query) {
    var code = query.replace(/#[^\n]*/g, " ").replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>/g, " ");
    var declared = {}, found = [];
    code.replace(/PREFIX\s+([A-Za-z][\w.-]*)?:/gi, function (_, p) { declared[p || ""] = true; return ""; });
    code.replace(/(^|[\s(\[{;,.\/^|!])([A-Za-z][\w.-]*)?:(?=[\w%\\]|[\s)\]};,.]|$)/g, function (_, __, p) {
      p = p || "";
      if (!declared[p] && !/^(PREFIX|BASE)$/i.test(p) && found.indexOf(p) < 0) { found.push(p); }
      return "";
    });
    return found;
  }

  // --- the editor ---------------------------------------------------------------------------------------------------
  function declaredIn(text) {
    var out = {};
    text.replace(/PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gi, function (_, p, ns) { out[p || ""] = ns; return ""; });
    return out;
  }

  // Where a new PREFIX line goes: after the prologue's last PREFIX/BASE line, else before the first line of the
  // query proper (after a leading comment header such as a saved query's "#+" lines).
  function declarationChange(doc, name, ns) {
    var lastPrologue = null, firstCode = null;
    for (var n = 1; n <= doc.lines; n++) {
      var line = doc.line(n), text = line.text.trim();
      if (/^(PREFIX|BASE)\b/i.test(text)) { lastPrologue = line; } else if (text && text.charAt(0) !== "#") { firstCode = line; break; }
    }
    var decl = "PREFIX " + name + ": <" + ns + ">";
    if (lastPrologue) { return { from: lastPrologue.to, insert: "\n" + decl }; }
    return { from: firstCode ? firstCode.from : doc.length, insert: decl + "\n" };
  }

  function declare(view, name, ns) {
    if (declaredIn(view.state.doc.toString())[name] !== undefined) { return; }
    view.dispatch({ changes: declarationChange(view.state.doc, name, ns) });
  }

  function completionSource(prefixes) {
    return function (context) {
      var line = context.state.doc.lineAt(context.pos);
      var before = line.text.slice(0, context.pos - line.from);
      // 1. PREFIX <name>: the service's prefixes as whole declarations.
      var decl = /(?:^|\s)PREFIX\s+([A-Za-z][\w.-]*)?$/i.exec(before);
      if (decl) {
        var taken = declaredIn(context.state.doc.toString());
        return {
          from: context.pos - (decl[1] || "").length,
          options: prefixes.filter(function (p) { return taken[p[0]] === undefined; }).map(function (p) {
            return { label: p[0] + ":", detail: "<" + p[1] + ">", apply: p[0] + ": <" + p[1] + ">", type: "namespace" };
          }),
          validFor: /^[\w.-]*$/,
        };
      }
      // 2. The prefix of a prefixed name; an undeclared known prefix gets its PREFIX line on the way.
      var word = context.matchBefore(/[A-Za-z][\w.-]*$/);
      if (!word && !context.explicit) { return null; }
      var from = word ? word.from : context.pos;
      var prev = context.state.sliceDoc(Math.max(0, from - 1), from);
      if (/[?$:<@"'\w\\]/.test(prev)) { return null; }  // a variable, a local name, an IRI, a language tag, a string
      var typed = word ? word.text : "";
      var declared = declaredIn(context.state.doc.toString());
      var names = prefixes.map(function (p) { return p; });
      Object.keys(declared).forEach(function (p) {
        if (!names.some(function (q) { return q[0] === p; })) { names.push([p, declared[p]]); }
      });
      var options = names.filter(function (p) { return p[0].indexOf(typed) === 0; }).map(function (p) {
        return {
          label: p[0] + ":", detail: p[1], type: "namespace",
          apply: function (view, completion, f, t) {
            var changes = [{ from: f, to: t, insert: p[0] + ":" }];
            if (declaredIn(view.state.doc.toString())[p[0]] === undefined) {
              changes.push(declarationChange(view.state.doc, p[0], p[1]));
            }
            var set = view.state.changes(changes);
            view.dispatch({ changes: set, selection: { anchor: set.mapPos(t, 1) }, annotations: CM.pickedCompletion.of(completion) });
          },
        };
      });
      return options.length ? { from: from, options: options, filter: false } : null;
    };
  }

  function createEditor(form, textarea, prefixes) {
    var submit = function () {
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      return true;
    };
    // CodeMirror writes its styles with style-mod, which in a document adds <style> elements (inline styles, which the
    // CSP refuses) but in a shadow root uses constructed style sheets (allowed). So the editor lives in a shadow root,
    // with the site's editor.css linked inside it.
    var holder = el("div", null, "sparql-editor");
    textarea.parentNode.insertBefore(holder, textarea);
    var root = holder.attachShadow({ mode: "open" });
    var sheet = document.querySelector("link[rel=stylesheet][href*='editor.css']");
    if (sheet) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = sheet.href;
      root.appendChild(link);
    }
    var parent = el("div", null, "sparql-editor-root");
    root.appendChild(parent);
    var view = new CM.EditorView({
      root: root,
      parent: parent,
      state: CM.EditorState.create({
        doc: textarea.value,
        extensions: [
          CM.Prec.highest(CM.keymap.of([{ key: "Mod-Enter", run: submit }])),  // the default keymap's Mod-Enter inserts a line
          CM.lineNumbers(), CM.highlightActiveLineGutter(), CM.history(), CM.drawSelection(), CM.indentOnInput(),
          CM.bracketMatching(), CM.closeBrackets(), CM.highlightActiveLine(),
          CM.sparql, CM.syntaxHighlighting(CM.defaultHighlightStyle, { fallback: true }),
          CM.autocompletion({ override: [completionSource(prefixes)], icons: false }),
          CM.lintGutter(),
          CM.keymap.of([].concat(CM.closeBracketsKeymap, CM.defaultKeymap, CM.historyKeymap, CM.completionKeymap)),
          CM.EditorView.lineWrapping,
          CM.EditorView.contentAttributes.of({ "aria-label": "SPARQL query", "aria-describedby": "query-hint" }),
          // The textarea stays in the form (hidden): a plain submit (CONSTRUCT, no fetch) sends what is in the editor.
          // An edit clears the marked error: its position belongs to the text that was run.
          CM.EditorState.transactionExtender.of(function (tr) {
            if (!tr.docChanged || !marked) { return null; }
            marked = false;
            return { effects: CM.setDiagnostics(tr.startState, []).effects };
          }),
          CM.EditorView.updateListener.of(function (update) {
            if (update.docChanged) { textarea.value = update.state.doc.toString(); }
          }),
        ],
      }),
    });
    textarea.hidden = true;
    textarea.setAttribute("aria-hidden", "true");
    textarea.tabIndex = -1;
    var label = form.querySelector("label[for=query]");
    if (label) { label.addEventListener("click", function (event) { event.preventDefault(); view.focus(); }); }
    return view;
  }

  function setText(view, textarea, text) {
    textarea.value = text;
    if (view) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      view.focus();
    } else { textarea.focus(); }
  }

  function markError(view, error) {
    if (!view) { return; }
    if (!error || !error.line) { marked = false; view.dispatch(CM.setDiagnostics(view.state, [])); return; }
    var doc = view.state.doc;
    var line = doc.line(Math.min(Math.max(error.line, 1), doc.lines));
    var pos = Math.min(line.from + Math.max(error.column - 1, 0), line.to);
    var from = pos, to = pos;
    var rest = /^\S+/.exec(line.text.slice(pos - line.from));
    if (rest) { to = pos + rest[0].length; } else {  // at the end of a line: mark the token before
      var back = /\S+\s*$/.exec(line.text.slice(0, pos - line.from));
      if (back) { from = line.from + back.index; to = pos; }
    }
    var diagnostic = { from: from, to: Math.max(to, from), severity: "error", message: error.text };
    if (error.fix) {
      diagnostic.actions = [{ name: "Declare " + error.fix[0] + ":", apply: function (v) { declare(v, error.fix[0], error.fix[1]); } }];
    }
    view.dispatch(CM.setDiagnostics(view.state, [diagnostic]));
    marked = true;
  }

  // --- running ------------------------------------------------------------------------------------------------------
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
    out.dataset.rendered = "script";  // no longer the server's rendering of the page's query
    out.appendChild(el("h2", "Result"));
    return out;
  }

  function render(form, data, seconds, prefixes) {
    var out = section(form);
    if (data.boolean !== undefined) {
      out.appendChild(el("p", "ASK in " + seconds + " s", "result-meta"));
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
        vars.forEach(function (v) { tr.appendChild(cell(row[v], prefixes)); });
        body.appendChild(tr);
      });
      out.appendChild(table);
      var control = mapControl(vars, rows);
      if (control) { out.appendChild(control); }
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

  function showError(form, view, error) {
    var out = section(form);
    out.querySelector("h2").textContent = "Error";
    var box = el("p", error.text, "sparql-error");
    box.setAttribute("role", "alert");
    out.appendChild(box);
    markError(view, error);
  }

  function run(form, view, prefixes, event) {
    var text = form.querySelector("textarea[name=query]").value;
    var stripped = text.replace(/#[^\n]*/g, " ").replace(/<[^>]*>/g, " ").replace(/"[^"\n]*"/g, " ");
    if (/\b(CONSTRUCT|DESCRIBE)\b/i.test(stripped)) { return; }  // graph results: the server renders them
    event.preventDefault();
    markError(view, null);
    var started = performance.now();
    var p = params(form);
    history.replaceState(null, "", location.pathname + "?" + p.toString());
    fetch(form.getAttribute("action") + "?" + p.toString(), { headers: { "Accept": "application/sparql-results+json" } })
      .then(function (r) {
        return r.json().then(function (data) { return { ok: r.ok, data: data }; },
          function () { return { ok: false, data: { error: { message: r.status + " " + r.statusText } } }; });
      })
      .then(function (res) {
        if (!res.ok) {
          showError(form, view, readableError(res.data.error && res.data.error.message, text, prefixes));
          return;
        }
        render(form, res.data, ((performance.now() - started) / 1000).toFixed(3), prefixes);
      })
      .catch(function () { form.submit(); });
  }

  function examples(form, view, textarea) {
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
          if (q) { setText(view, textarea, q.text); }
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
    var prefixes = knownPrefixes();
    var view = CM && document.body.attachShadow ? createEditor(form, textarea, prefixes) : null;
    if (!view) {
      textarea.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
        }
      });
    }
    form.addEventListener("submit", function (event) { run(form, view, prefixes, event); });
    var served = document.querySelector(".sparql-error[data-line]");  // the server's page for a query in error
    if (served) {
      markError(view, { text: served.textContent, line: Number(served.dataset.line), column: Number(served.dataset.column) });
    }
    enhanceServedMap();
    examples(form, view, textarea);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
