/* The gap views: SDG targets no ITU unit serves (query 31), drawn as one bar per goal with
   its unserved targets, and WSIS Action Lines without an ITU role (query 32), listed. A bar
   (or Enter on it) lists its targets; every target and Action Line links to its page. */
(function () {
  "use strict";
  var V = window.itugraphViews;
  var d3 = window.d3;
  var root = document.getElementById("view");
  var targets = { columns: [], rows: [] };
  var lines = { columns: [], rows: [] };
  var svgNode = null;

  function drawBars() {
    var goals = d3.groups(targets.rows, function (r) { return r.goal; });
    var width = 720;
    var left = 220;
    var bar = 24;
    var height = goals.length * bar + 30;
    var x = d3.scaleLinear().domain([0, d3.max(goals, function (g) { return g[1].length; }) || 1]).range([0, width - left - 40]);
    var chart = root.querySelector("[data-chart]");
    chart.textContent = "";
    var svg = d3.select(chart).append("svg").attr("viewBox", "0 0 " + width + " " + height).attr("width", "100%")
      .attr("role", "group").attr("aria-label", "SDG targets no ITU unit serves, per goal");
    svg.append("style").text("text{font:12px system-ui,sans-serif} .iv-bar:focus rect{stroke:#000;stroke-width:3}");
    var rows = svg.selectAll("g").data(goals).join("g").attr("class", "iv-bar").attr("tabindex", 0).attr("role", "button")
      .attr("transform", function (g, i) { return "translate(0," + (i * bar + 4) + ")"; })
;
    rows.append("title").text(function (g) { return g[1].length + " targets of SDG " + g[1][0].goalCode + " without an ITU link"; });
    rows.append("text").attr("x", left - 6).attr("y", bar / 2 + 2).attr("text-anchor", "end")
      .text(function (g) { return g[1][0].goalCode + " " + g[1][0].goalLabel; });
    rows.append("rect").attr("x", left).attr("width", function (g) { return x(g[1].length); }).attr("height", bar - 6)
      .attr("fill", "#0072b2");
    rows.append("text").attr("x", function (g) { return left + x(g[1].length) + 4; }).attr("y", bar / 2 + 2)
      .text(function (g) { return g[1].length; });
    rows.on("click", function (event, g) { details(g); })
      .on("keydown", function (event, g) { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); details(g); } });
    svgNode = svg.node();
    root.dataset.bars = String(goals.length);
  }

  function details(goal) {
    var box = root.querySelector("[data-details]");
    box.hidden = false;
    box.textContent = "";
    var first = goal[1][0];
    box.appendChild(V.element("h2")).appendChild(V.valueNode(first.goal, "SDG " + first.goalCode + ": " + first.goalLabel));
    var list = box.appendChild(V.element("ul"));
    goal[1].forEach(function (r) {
      var item = list.appendChild(V.element("li"));
      item.appendChild(V.valueNode(r.target, r.code));
      item.appendChild(document.createTextNode(" " + (r.label || "")));
    });
  }

  function drawLines() {
    var box = root.querySelector("[data-lines]");
    V.renderTable(box, ["actionLine", "code", "label", "facilitators"], lines.rows);
    root.dataset.lineCount = String(lines.rows.length);
  }

  V.wireDownloads(root, "gaps", function () { return targets; }, function () { return svgNode; });
  Promise.all([V.fetchRows(root.dataset.api), V.fetchRows(root.dataset.api2)]).then(function (answers) {
    targets = answers[0];
    lines = answers[1];
    drawBars();
    drawLines();
    V.renderTable(root.querySelector("[data-table]"), targets.columns, targets.rows);
    V.status(root, targets.rows.length + " SDG targets have no link from ITU or its units; " +
      lines.rows.length + " WSIS Action Lines have no ITU role.");
    V.markReady(root);
  }).catch(function (error) { V.status(root, "The data could not be loaded: " + error.message); });
}());
