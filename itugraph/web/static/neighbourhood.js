/* The neighbourhood graph of a resource page (query 33, drawn by Cytoscape.js): the
   resource, its direct links with their labels, and one hop more from any neighbour on
   demand (a click on a node, or the "Expand one hop from" list for the keyboard). Where one
   property links to many neighbours (ITU publishes hundreds of sources), they are drawn as
   one grouped node until it is opened: the graph stays readable on large hubs. The
   expanded resources are kept in the URL (hops=). */
(function () {
  "use strict";
  var V = window.itugraphViews;
  var root = document.getElementById("view");
  var centre = root.dataset.iri;
  var hopSelect = root.querySelector('[data-control="hop"]');
  var GROUP_ABOVE = 8;
  var LIMIT = 500;  // the LIMIT of query 33
  var truncated = [];
  var columns = ["resource", "direction", "property", "propertyLabel", "neighbour", "label", "inferred"];
  var links = [];
  var expanded = [];
  var openedGroups = {};
  var labels = {};
  var cy = null;

  function shortName(iri) { return iri.replace(/[#/]$/, "").split(/[#/]/).pop(); }
  function nameOf(iri) { return labels[iri] || shortName(iri); }

  function expand(iri) {
    if (expanded.indexOf(iri) >= 0) { return Promise.resolve(); }
    expanded.push(iri);
    return V.fetchRows(root.dataset.api, { resource: iri }).then(function (answer) {
      if (answer.rows.length >= LIMIT) { truncated.push(nameOf(iri)); }
      answer.rows.forEach(function (r) {
        if (r.label) { labels[r.neighbour] = r.label; }
        links.push(r);
      });
      draw();
    });
  }

  function groupKey(r) { return r.resource + "|" + r.direction + "|" + r.property; }

  function draw() {
    var counts = {};
    links.forEach(function (r) { counts[groupKey(r)] = (counts[groupKey(r)] || 0) + 1; });
    var nodes = {};
    var edges = {};
    nodes[centre] = { data: { id: centre, label: nameOf(centre), kind: "centre" } };
    links.forEach(function (r) {
      var key = groupKey(r);
      var grouped = counts[key] > GROUP_ABOVE && !openedGroups[key];
      var other = grouped ? "group:" + key : r.neighbour;
      var propertyName = r.propertyLabel || shortName(r.property);
      if (!nodes[other]) {
        nodes[other] = { data: grouped
          ? { id: other, label: counts[key] + " × " + propertyName, kind: "group", group: key }
          : { id: other, label: nameOf(other), kind: expanded.indexOf(other) >= 0 ? "expanded" : "neighbour" } };
      }
      if (!nodes[r.resource]) { nodes[r.resource] = { data: { id: r.resource, label: nameOf(r.resource), kind: "expanded" } }; }
      var source = r.direction === "out" ? r.resource : other;
      var target = r.direction === "out" ? other : r.resource;
      var id = source + ">" + r.property + ">" + target;
      edges[id] = { data: { id: id, source: source, target: target, label: propertyName,
        inferred: r.inferred === "true" ? "yes" : "no" } };
    });
    cy.elements().remove();
    cy.add(Object.values(nodes).concat(Object.values(edges)));
    cy.layout({ name: "concentric", concentric: function (n) { return n.id() === centre ? 3 : n.data("kind") === "expanded" ? 2 : 1; },
      levelWidth: function () { return 1; }, minNodeSpacing: 30, animate: false }).run();
    root.dataset.nodes = String(cy.nodes().length);
    root.dataset.links = String(links.length);
    V.status(root, links.length + " links to " + (cy.nodes().length - 1) + " nodes; grey dashed links are inferred. " +
      "Click a node to open it, expand it or (for a group) list its members." +
      (truncated.length ? " The query gives the first " + LIMIT + " links of " + truncated.join(", ") + "." : ""));
    fillHops();
    V.renderTable(root.querySelector("[data-table]"), columns, links);
    V.setState({ hops: expanded.filter(function (i) { return i !== centre; }).join(" ") || null });
  }

  function fillHops() {
    hopSelect.textContent = "";
    var seen = {};
    links.forEach(function (r) {
      if (seen[r.neighbour] || expanded.indexOf(r.neighbour) >= 0 || !V.isIri(r.neighbour)) { return; }
      seen[r.neighbour] = true;
      hopSelect.appendChild(V.element("option", { value: r.neighbour }, nameOf(r.neighbour)));
    });
  }

  /** What a click on a node offers: its page, one hop more, or a group's members. */
  function select(node) {
    var box = root.querySelector("[data-details]");
    box.hidden = false;
    box.textContent = "";
    if (node.data("kind") === "group") {
      openedGroups[node.data("group")] = true;
      draw();
      box.appendChild(V.element("p", {}, "The group is opened: its members are drawn one by one."));
      return;
    }
    var iri = node.id();
    box.appendChild(V.element("h3")).appendChild(V.valueNode(iri, nameOf(iri)));
    if (expanded.indexOf(iri) < 0) {
      var button = box.appendChild(V.element("button", { type: "button", "data-action": "expand-selected" }, "Expand one hop from " + nameOf(iri)));
      button.addEventListener("click", function () { expand(iri); box.hidden = true; });
    }
  }

  cy = window.cytoscape({
    container: root.querySelector("[data-chart]"),
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: { label: "data(label)", "font-size": 10, "text-wrap": "ellipsis", "text-max-width": 120,
        "background-color": "#0072b2", width: 16, height: 16, color: "#111" } },
      { selector: 'node[kind = "centre"]', style: { "background-color": "#d55e00", width: 28, height: 28, "font-weight": "bold" } },
      { selector: 'node[kind = "expanded"]', style: { "background-color": "#cc79a7", width: 22, height: 22 } },
      { selector: 'node[kind = "group"]', style: { shape: "round-rectangle", "background-color": "#e69f00", width: 26, height: 18 } },
      { selector: "edge", style: { width: 1.2, "line-color": "#555", "target-arrow-shape": "triangle", "target-arrow-color": "#555",
        "curve-style": "bezier", label: "data(label)", "font-size": 8, color: "#333", "text-rotation": "autorotate",
        "text-background-color": "#fff", "text-background-opacity": 0.8 } },
      { selector: 'edge[inferred = "yes"]', style: { "line-style": "dashed", "line-color": "#8a8a8a", "target-arrow-color": "#8a8a8a" } },
    ],
  });
  cy.on("tap", "node", function (event) { select(event.target); });
  root.querySelector('[data-action="expand"]').addEventListener("click", function () { if (hopSelect.value) { expand(hopSelect.value); } });
  root.querySelector('[data-action="fit"]').addEventListener("click", function () { cy.fit(undefined, 20); });
  V.wireDownloads(root, "neighbourhood", function () { return { columns: columns, rows: links }; }, null,
    function (done) { done(cy.png({ output: "blob", full: true, bg: "#ffffff", scale: 2 })); });
  var hops = V.getState("hops", "").split(" ").filter(Boolean);
  hops.reduce(function (chain, iri) { return chain.then(function () { return expand(iri); }); }, expand(centre))
    .then(function () { V.markReady(root); })
    .catch(function (error) { V.status(root, "The neighbourhood could not be loaded: " + error.message); });
  window.itugraphViews.neighbourhood = function () { return cy; };
}());
