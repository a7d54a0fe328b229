// perimeter HTML report: filters, pagination, function pages and the attack graph.
// Hand-written vanilla JS, no dependency, no network. Every text from the scan is set with
// textContent or setAttribute, never parsed as HTML.
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var COL_W = 270, NODE_W = 210, NODE_H = 28, ROW_H = 40, PAD = 14, HEAD = 26;
  var PAGE = 50;

  function $(id) { return document.getElementById(id); }
  function all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // ---- Filters and pagination -------------------------------------------------------------
  var filters = { sev: -1, fam: "", trig: "", text: "" };
  var page = 0;

  function rowMatches(el) {
    var sev = parseInt(el.getAttribute("data-sev") || "-1", 10);
    if (filters.sev >= 0 && sev < filters.sev) return false;
    if (filters.fam && (" " + (el.getAttribute("data-fam") || "") + " ").indexOf(" " + filters.fam + " ") < 0) return false;
    if (filters.trig && (" " + (el.getAttribute("data-trig") || "") + " ").indexOf(" " + filters.trig + " ") < 0) return false;
    if (filters.text && (el.getAttribute("data-name") || "").toLowerCase().indexOf(filters.text) < 0) return false;
    return true;
  }

  function findingMatches(el) {
    var sev = parseInt(el.getAttribute("data-sev") || "-1", 10);
    if (filters.sev >= 0 && sev < filters.sev) return false;
    if (filters.fam && el.getAttribute("data-fam") !== filters.fam) return false;
    return true;
  }

  function applyFilters() {
    var rows = all("#fn-table tbody tr");
    var shown = rows.filter(rowMatches);
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    if (page >= pages) page = pages - 1;
    if (page < 0) page = 0;
    rows.forEach(function (r) { r.classList.add("hidden"); });
    shown.slice(page * PAGE, (page + 1) * PAGE).forEach(function (r) { r.classList.remove("hidden"); });
    var info = $("fn-page-info");
    if (info) info.textContent = "page " + (page + 1) + " of " + pages + " (" + shown.length + " of " + rows.length + " functions)";
    all("article.finding").forEach(function (a) { a.classList.toggle("hidden", !findingMatches(a)); });
  }

  function bindFilters() {
    var sev = $("f-sev"), fam = $("f-fam"), trig = $("f-trig"), text = $("f-text");
    if (sev) sev.addEventListener("change", function () { filters.sev = parseInt(sev.value, 10); page = 0; applyFilters(); });
    if (fam) fam.addEventListener("change", function () { filters.fam = fam.value; page = 0; applyFilters(); });
    if (trig) trig.addEventListener("change", function () { filters.trig = trig.value; page = 0; applyFilters(); });
    if (text) text.addEventListener("input", function () { filters.text = text.value.toLowerCase(); page = 0; applyFilters(); });
    var prev = $("fn-prev"), next = $("fn-next");
    if (prev) prev.addEventListener("click", function () { page -= 1; applyFilters(); });
    if (next) next.addEventListener("click", function () { page += 1; applyFilters(); });
    applyFilters();
  }

  // ---- Function pages: one shown at a time, chosen by the URL fragment --------------------
  function showPage() {
    var pages = all("section.fn-page");
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    var isPage = target && target.classList.contains("fn-page");
    pages.forEach(function (p) { p.classList.toggle("hidden", !(isPage && p === target)); });
    var hint = $("fn-pages-hint");
    if (hint) hint.classList.toggle("hidden", !!isPage);
    if (isPage) target.scrollIntoView();
  }

  // ---- Attack graph -------------------------------------------------------------------------
  var data = null, svg = null, viewport = null, info = null;
  var collapsed = [], view = { x: 0, y: 0, k: 1 }, focusIndex = -1;
  var bandTop = [], visible = [], elements = [];

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function short(s, n) { return s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }

  function applyView() {
    viewport.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
  }

  // Where each visible node sits: its own place, or its app's cluster when the app is collapsed.
  function place() {
    var y = 0;
    bandTop = [];
    data.bands.forEach(function (b, i) {
      bandTop.push(y);
      var rows = collapsed[i] ? 1 : Math.max(1, b.rows);
      y += HEAD + PAD * 2 + rows * ROW_H;
    });
    return y;
  }

  function nodeXY(n) {
    return { x: n.c * COL_W + PAD, y: bandTop[n.b] + HEAD + PAD + n.r * ROW_H };
  }

  function draw() {
    while (viewport.firstChild) viewport.removeChild(viewport.firstChild);
    var height = place();
    var width = 5 * COL_W;
    var bands = el("g", {}, viewport), edgesG = el("g", {}, viewport), nodesG = el("g", {}, viewport);
    data.bands.forEach(function (b, i) {
      var rows = collapsed[i] ? 1 : Math.max(1, b.rows);
      el("rect", { "class": "band", x: 0, y: bandTop[i], width: width, height: HEAD + PAD * 2 + rows * ROW_H - 6, rx: 8 }, bands);
      var t = el("text", { "class": "band-title", x: 10, y: bandTop[i] + 18 }, bands);
      t.textContent = (b.app === null ? "" : (collapsed[i] ? "\u25b8 " : "\u25be ")) + b.name +
        (b.functions ? " \u2014 " + b.functions + (b.functions === 1 ? " function" : " functions") : "");
      if (b.app !== null) t.addEventListener("click", function (ev) { ev.stopPropagation(); toggle(i); });
    });
    // Visible node per data node: itself, or the cluster of its collapsed band.
    visible = data.nodes.map(function (n, i) { return collapsed[n.b] ? "c" + n.b : i; });
    elements = {};
    var drawn = {};
    function nodeBox(key, x, y, label, cls, title, isPublic) {
      var g = el("g", { "class": "node " + cls + (isPublic ? " public" : ""), transform: "translate(" + x + "," + y + ")" }, nodesG);
      el("rect", { width: NODE_W, height: NODE_H, rx: 6 }, g);
      var t = el("text", { x: 8, y: 18 }, g);
      t.textContent = short(label, 30);
      var tt = el("title", {}, g);
      tt.textContent = title;
      g.setAttribute("data-key", String(key));
      g.addEventListener("click", function (ev) { ev.stopPropagation(); onNodeClick(key); });
      elements[key] = { g: g, x: x, y: y };
    }
    data.nodes.forEach(function (n, i) {
      var key = visible[i];
      if (drawn[key]) return;
      drawn[key] = true;
      if (typeof key === "string") {
        var b = data.bands[n.b];
        nodeBox(key, 2 * COL_W + PAD, bandTop[n.b] + HEAD + PAD, b.name + " (" + b.nodes + " nodes)", "k-cluster",
          b.name + ": " + b.nodes + " nodes, collapsed \u2014 click to expand", false);
      } else {
        var p = nodeXY(n);
        nodeBox(i, p.x, p.y, n.l, "k-" + n.k, n.k + ": " + n.l + (n.loc ? "\n" + n.loc : "") + (n.cost ? "\n" + n.cost : ""), n.p);
      }
    });
    var seen = {};
    data.edges.forEach(function (e) {
      var a = visible[e[0]], b = visible[e[1]];
      if (a === b) return;
      var key = a + ">" + b + ">" + e[2];
      if (seen[key]) return;
      seen[key] = true;
      var s = elements[a], t = elements[b];
      var x1 = s.x + NODE_W, y1 = s.y + NODE_H / 2, x2 = t.x, y2 = t.y + NODE_H / 2;
      if (x2 <= x1) { x1 = s.x + NODE_W / 2; x2 = t.x + NODE_W / 2; }
      var dx = Math.max(40, Math.abs(x2 - x1) / 2);
      var path = el("path", { "class": "edge e-" + e[2].replace(/ /g, "-"), d: "M" + x1 + "," + y1 + " C" + (x1 + dx) + "," + y1 + " " + (x2 - dx) + "," + y2 + " " + x2 + "," + y2 }, edgesG);
      path.setAttribute("data-from", String(a));
      path.setAttribute("data-to", String(b));
      var tt = el("title", {}, path);
      tt.textContent = e[2] + (e[3] ? ": " + e[3] : "");
    });
    svg.setAttribute("data-nodes", String(Object.keys(elements).length));
    svg.setAttribute("data-height", String(height));
    if (focusIndex >= 0) focus(focusIndex, false); else clearFocus();
  }

  function toggle(band) {
    collapsed[band] = !collapsed[band];
    draw();
  }

  function onNodeClick(key) {
    if (typeof key === "string") { toggle(parseInt(key.slice(1), 10)); return; }
    if (focusIndex === key) { clearFocus(); return; }
    focus(key, false);
  }

  function clearFocus() {
    focusIndex = -1;
    svg.classList.remove("focused");
    all(".dim, .centre", svg).forEach(function (e) { e.classList.remove("dim"); e.classList.remove("centre"); });
    if (info) info.classList.add("hidden");
  }

  // Focus: the node, its direct neighbours, and every attack path through it.
  function focus(index, center) {
    var n = data.nodes[index];
    if (collapsed[n.b]) { collapsed[n.b] = false; focusIndex = index; draw(); }
    focusIndex = index;
    var keep = {};
    keep[index] = true;
    data.edges.forEach(function (e) {
      if (e[0] === index) keep[e[1]] = true;
      if (e[1] === index) keep[e[0]] = true;
    });
    data.paths.forEach(function (p) {
      if (p.indexOf(index) >= 0) p.forEach(function (i) { keep[i] = true; });
    });
    var keepVisible = {};
    Object.keys(keep).forEach(function (i) { keepVisible[String(visible[i])] = true; });
    svg.classList.add("focused");
    all(".node", svg).forEach(function (g) {
      var k = g.getAttribute("data-key");
      g.classList.toggle("dim", !keepVisible[k]);
      g.classList.toggle("centre", k === String(index));
    });
    all(".edge", svg).forEach(function (p) {
      p.classList.toggle("dim", !(keepVisible[p.getAttribute("data-from")] && keepVisible[p.getAttribute("data-to")]));
    });
    if (info) {
      while (info.firstChild) info.removeChild(info.firstChild);
      var h = document.createElement("b");
      h.textContent = n.k + ": " + n.l;
      info.appendChild(h);
      [n.loc, n.cost, (Object.keys(keep).length - 1) + " connected nodes"].forEach(function (line) {
        if (!line) return;
        var d = document.createElement("div");
        d.textContent = line;
        info.appendChild(d);
      });
      if (n.f !== null && n.f !== undefined) {
        var a = document.createElement("a");
        a.href = "#f-" + n.f;
        a.textContent = "Open the function's page";
        info.appendChild(a);
      }
      info.classList.remove("hidden");
    }
    if (center && elements[index]) {
      var r = svg.getBoundingClientRect();
      view.k = 1;
      view.x = r.width / 2 - (elements[index].x + NODE_W / 2);
      view.y = r.height / 2 - (elements[index].y + NODE_H / 2);
      applyView();
    }
  }

  function fit() {
    var r = svg.getBoundingClientRect();
    var h = place();
    var w = 5 * COL_W + PAD;
    var k = Math.min(r.width / w, r.height / h, 1.2);
    if (!(k > 0)) k = 1;
    view.k = k;
    view.x = (r.width - w * k) / 2;
    view.y = Math.max(0, (r.height - h * k) / 2);
    applyView();
  }

  function zoomAt(factor, px, py) {
    var k = Math.min(4, Math.max(0.05, view.k * factor));
    view.x = px - (px - view.x) * (k / view.k);
    view.y = py - (py - view.y) * (k / view.k);
    view.k = k;
    applyView();
  }

  function bindGraph() {
    var source = $("graph-data");
    svg = $("graph");
    if (!source || !svg) return;
    try { data = JSON.parse(source.textContent); } catch (err) { return; }
    info = $("graph-info");
    viewport = el("g", { id: "viewport" }, svg);
    collapsed = data.bands.map(function (b) { return b.app !== null && data.collapse; });
    var drag = null, moved = false;
    svg.addEventListener("mousedown", function (ev) {
      drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y };
      moved = false;
    });
    window.addEventListener("mousemove", function (ev) {
      if (!drag) return;
      var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) { moved = true; svg.classList.add("dragging"); }
      view.x = drag.vx + dx;
      view.y = drag.vy + dy;
      applyView();
    });
    window.addEventListener("mouseup", function () { drag = null; svg.classList.remove("dragging"); });
    svg.addEventListener("click", function () { if (!moved) clearFocus(); });
    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var r = svg.getBoundingClientRect();
      zoomAt(ev.deltaY < 0 ? 1.15 : 1 / 1.15, ev.clientX - r.left, ev.clientY - r.top);
    }, { passive: false });
    function button(id, fn) { var b = $(id); if (b) b.addEventListener("click", fn); }
    button("g-in", function () { var r = svg.getBoundingClientRect(); zoomAt(1.25, r.width / 2, r.height / 2); });
    button("g-out", function () { var r = svg.getBoundingClientRect(); zoomAt(0.8, r.width / 2, r.height / 2); });
    button("g-fit", function () { clearFocus(); fit(); });
    button("g-expand", function () { collapsed = collapsed.map(function () { return false; }); draw(); fit(); });
    button("g-collapse", function () { collapsed = data.bands.map(function (b) { return b.app !== null; }); clearFocus(); draw(); fit(); });
    all("button.show-in-graph").forEach(function (b) {
      b.addEventListener("click", function () {
        var i = parseInt(b.getAttribute("data-node"), 10);
        if (!(i >= 0)) return;
        $("graph-section").scrollIntoView();
        focus(i, true);
      });
    });
    draw();
    fit();
  }

  function start() {
    bindFilters();
    showPage();
    window.addEventListener("hashchange", showPage);
    bindGraph();
    document.body.setAttribute("data-ready", "1");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
