/* The organisation chart (query 28) drawn by Cytoscape.js: a tree from ITU down to the
   Questions, collapsible (the tree beside the chart, which is also its keyboard and text
   form), zoomable, searchable, with a study-period switch. A click on a node opens its page. */
(function () {
  "use strict";
  var V = window.itugraphViews;
  var root = document.getElementById("view");
  var periodSelect = root.querySelector('[data-control="period"]');
  var find = root.querySelector('[data-control="find"]');
  var data = { columns: [], rows: [] };
  var children = {};
  var byIri = {};
  var collapsed = {};
  var cy = null;
  var rootIri = null;

  function inPeriod(row) {
    var period = periodSelect.value;
    if (!row.period || period === "all") { return true; }
    return (row.current === "true") === (period === "current");
  }

  /** The nodes shown: in the chosen period, below no collapsed node. */
  function visibleRows() {
    var out = [];
    (function walk(iri) {
      var row = byIri[iri];
      if (!row || !inPeriod(row)) { return; }
      out.push(row);
      if (!collapsed[iri]) { (children[iri] || []).forEach(walk); }
    }(rootIri));
    return out;
  }

  function draw() {
    var rows = visibleRows();
    var elements = [];
    rows.forEach(function (r) {
      elements.push({ data: { id: r.node, label: r.short || r.label, kind: r.kind || "",
        more: collapsed[r.node] && (children[r.node] || []).length ? "yes" : "no" } });
      if (r.parent && byIri[r.parent]) { elements.push({ data: { id: r.node + ">", source: r.parent, target: r.node } }); }
    });
    cy.elements().remove();
    cy.add(elements);
    cy.layout({ name: "preset", positions: tidyTree(rows), animate: false }).run();
    cy.fit(undefined, 20);
    if (cy.zoom() < 0.55) { cy.zoom(0.55); cy.center(cy.getElementById(rootIri)); }
    root.dataset.nodes = String(cy.nodes().length);
    V.status(root, cy.nodes().length + " of " + data.rows.length + " units and Questions shown (" +
      periodSelect.options[periodSelect.selectedIndex].text + "); click a node to open its page.");
    drawTree();
    V.renderTable(root.querySelector("[data-table]"), data.columns, data.rows.filter(inPeriod));
    highlight(find.value);
    var allOpen = Object.keys(collapsed).every(function (k) { return !collapsed[k]; });
    V.setState({ period: periodSelect.value === "current" ? null : periodSelect.value, expanded: allOpen ? "all" : null });
  }

  /** Left to right: depth along x, leaves one line apart along y, a parent centred on its
      children, so every label reads horizontally without overlapping another. */
  function tidyTree(rows) {
    var shownKids = {};
    rows.forEach(function (r) { if (r.parent) { (shownKids[r.parent] = shownKids[r.parent] || []).push(r.node); } });
    var positions = {};
    var line = 0;
    (function place(iri, depth) {
      var kids = shownKids[iri] || [];
      kids.forEach(function (k) { place(k, depth + 1); });
      var y = kids.length ? (positions[kids[0]].y + positions[kids[kids.length - 1]].y) / 2 : (line++) * 26;
      positions[iri] = { x: depth * 210, y: y };
    }(rootIri, 0));
    return positions;
  }

  /** The tree beside the chart: a disclosure button per node with children, a link per node. */
  function drawTree() {
    var box = root.querySelector("[data-tree]");
    box.textContent = "";
    function branch(iri) {
      var row = byIri[iri];
      var item = V.element("li");
      var kids = (children[iri] || []).filter(function (k) { return inPeriod(byIri[k]); });
      if (kids.length) {
        var toggle = item.appendChild(V.element("button", { type: "button", "aria-expanded": String(!collapsed[iri]),
          "aria-label": (collapsed[iri] ? "Expand " : "Collapse ") + (row.short || row.label), "data-toggle": iri },
          collapsed[iri] ? "+" : "−"));
        toggle.addEventListener("click", function () { collapsed[iri] = !collapsed[iri]; draw(); focusToggle(iri); });
      }
      item.appendChild(V.element("a", { href: V.pathOf(iri), title: row.label }, (row.short || row.label) +
        (row.kind ? " (" + row.kind + ")" : "")));
      if (kids.length && !collapsed[iri]) {
        var list = item.appendChild(V.element("ul"));
        kids.forEach(function (k) { list.appendChild(branch(k)); });
      }
      return item;
    }
    var top = box.appendChild(V.element("ul"));
    top.appendChild(branch(rootIri));
  }

  function focusToggle(iri) {
    var button = root.querySelector('[data-toggle="' + CSS.escape(iri) + '"]');
    if (button) { button.focus(); }
  }

  /** Mark the nodes whose name matches; centre the first (kept in the URL as focus=). */
  function highlight(text) {
    cy.nodes().removeClass("match");
    var needle = (text || "").trim().toLowerCase();
    V.setState({ q: needle || null });
    if (!needle) { return; }
    var hits = data.rows.filter(function (r) {
      return (r.short || "").toLowerCase().indexOf(needle) >= 0 || (r.label || "").toLowerCase().indexOf(needle) >= 0;
    });
    var opened = false;
    hits.forEach(function (r) {
      // Expand the path to a match so it is drawn.
      for (var up = r.parent; up; up = byIri[up] && byIri[up].parent) {
        if (collapsed[up]) { collapsed[up] = false; opened = true; }
      }
    });
    if (opened) { draw(); return; }
    var first = null;
    hits.forEach(function (r) { var n = cy.getElementById(r.node); if (n.length) { n.addClass("match"); first = first || n; } });
    if (first) { cy.animate({ center: { eles: first }, zoom: 1.2 }, { duration: 150 }); }
    V.status(root, hits.length + " units match “" + text + "”.");
  }

  /** The switch names the periods it shows: "current (ITU-T 2025-2028, …)". */
  function namePeriods(rows) {
    var names = { current: {}, previous: {} };
    rows.forEach(function (r) {
      if (r.periodLabel) { names[r.current === "true" ? "current" : "previous"][r.periodLabel.replace(" study period", "")] = true; }
    });
    // A graph without study periods has no switch.
    periodSelect.closest("label").hidden = !rows.some(function (r) { return r.period; });
    Array.prototype.forEach.call(periodSelect.options, function (option) {
      var listed = Object.keys(names[option.value] || {}).sort();
      if (listed.length) { option.textContent = option.value + " (" + listed.join(", ") + ")"; }
    });
  }

  function start(answer) {
    data = answer;
    namePeriods(answer.rows);
    answer.rows.forEach(function (r) {
      byIri[r.node] = r;
      if (r.parent) { (children[r.parent] = children[r.parent] || []).push(r.node); } else { rootIri = r.node; }
    });
    // Collapsed at first below the study groups (working parties and Questions on demand).
    answer.rows.forEach(function (r) { collapsed[r.node] = depth(r) >= 2; });
    if (V.getState("expanded", "") === "all") { Object.keys(collapsed).forEach(function (k) { collapsed[k] = false; }); }
    cy = window.cytoscape({
      container: root.querySelector("[data-chart]"),
      wheelSensitivity: 0.3,
      minZoom: 0.1,
      maxZoom: 3,
      style: [
        { selector: "node", style: { label: "data(label)", "font-size": 12, "text-valign": "center",
          "text-halign": "right", "text-margin-x": 4, "text-wrap": "ellipsis", "text-max-width": 180,
          "background-color": "#1f5f99", color: "#111", width: 14, height: 14 } },
        { selector: 'node[more = "yes"]', style: { "border-width": 3, "border-color": "#e69f00", shape: "round-rectangle" } },
        { selector: "node.match", style: { "background-color": "#d55e00", width: 20, height: 20, "font-weight": "bold" } },
        { selector: "edge", style: { width: 1.5, "line-color": "#8a8a8a", "curve-style": "taxi", "taxi-direction": "rightward", "taxi-turn": 20 } },
      ],
    });
    cy.on("tap", "node", function (event) { window.location.href = V.pathOf(event.target.id()); });
    find.value = V.getState("q", "");
    draw();
    V.markReady(root);
  }

  function depth(r) {
    var d = 0;
    for (var up = r.parent; up; up = byIri[up] && byIri[up].parent) { d += 1; }
    return d;
  }

  function on(action, handler) { root.querySelector('[data-action="' + action + '"]').addEventListener("click", handler); }
  on("zoom-in", function () { cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }); });
  on("zoom-out", function () { cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }); });
  on("fit", function () { cy.fit(undefined, 20); });
  on("expand-all", function () { Object.keys(collapsed).forEach(function (k) { collapsed[k] = false; }); draw(); });
  on("collapse-all", function () { Object.keys(collapsed).forEach(function (k) { collapsed[k] = k !== rootIri; }); draw(); });
  periodSelect.value = V.getState("period", "current");
  periodSelect.addEventListener("change", draw);
  find.addEventListener("input", function () { highlight(find.value); });
  find.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); draw(); } });
  V.wireDownloads(root, "org-chart", function () { return { columns: data.columns, rows: data.rows.filter(inPeriod) }; },
    null, function (done) { done(cy.png({ output: "blob", full: true, bg: "#ffffff", scale: 2 })); });
  V.fetchRows(root.dataset.api).then(start)
    .catch(function (error) { V.status(root, "The data could not be loaded: " + error.message); });
  window.itugraphViews.orgChart = function () { return cy; };
}());
