/* A heatmap of a named query's rows (WSIS Action Line x SDG goal, ITU unit x SDG goal or
   target): one cell per row and column, its count written in it, empty rows and columns
   shown (an answer row without a row key declares a column; a pair the answer leaves out is
   an empty cell). The table view is the same grid as an HTML table. Cells are reached by Tab then the arrow keys; Enter or a click lists the
   cell's evidence. Configuration: the data-* attributes of #view (views/*.html). */
(function () {
  "use strict";
  var V = window.itugraphViews;
  var d3 = window.d3;
  var root = document.getElementById("view");
  var cfg = root.dataset;
  var metrics = cfg.metrics.split(" ");
  var evidence = cfg.evidence.split(" ");
  var levelSelect = root.querySelector('[data-control="level"]');
  var metricSelect = root.querySelector('[data-control="metric"]');
  var data = { columns: [], rows: [] };
  var shown = [];
  var svgNode = null;
  // Level of detail: at most this many rows at first (the CSV and table view have them all).
  var ROWS = 40;
  var rowLimit = Number(V.getState("rows", String(ROWS))) || ROWS;

  function cellValue(row, metric) {
    if (metric && metric !== "all") { return Number(row[metric] || 0); }
    return metrics.reduce(function (sum, m) { return sum + Number(row[m] || 0); }, 0);
  }

  function unique(rows, key) {
    var seen = {};
    return rows.filter(function (r) { if (seen[r[key]]) { return false; } seen[r[key]] = true; return true; });
  }

  /** Rows (with their total), columns and every cell of the grid: an answer row with no
      row key defines a column; a pair the answer does not list is an empty cell. */
  function grid(level, metric) {
    var answer = level ? data.rows.filter(function (r) { return r[cfg.levelColumn] === level; }) : data.rows;
    var cols = unique(answer, cfg.colKey);
    var rows = unique(answer.filter(function (r) { return r[cfg.rowKey]; }), cfg.rowKey);
    var found = {};
    answer.forEach(function (r) { if (r[cfg.rowKey]) { found[r[cfg.rowKey] + " " + r[cfg.colKey]] = r; } });
    var totals = {};
    answer.forEach(function (r) { if (r[cfg.rowKey]) { totals[r[cfg.rowKey]] = (totals[r[cfg.rowKey]] || 0) + cellValue(r, metric); } });
    if (rows.length > rowLimit) {
      rows = rows.slice().sort(function (a, b) { return totals[b[cfg.rowKey]] - totals[a[cfg.rowKey]]; }).slice(0, rowLimit);
    }
    var cells = [];
    rows.forEach(function (row) {
      cols.forEach(function (col) {
        var hit = found[row[cfg.rowKey] + " " + col[cfg.colKey]];
        if (!hit) {
          hit = Object.assign({}, col);
          hit[cfg.rowKey] = row[cfg.rowKey];
          hit[cfg.rowLabel] = row[cfg.rowLabel];
          hit[cfg.rowTitle] = row[cfg.rowTitle];
          metrics.forEach(function (m) { hit[m] = "0"; });
        }
        cells.push(hit);
      });
    });
    return { answer: answer, rows: rows, cols: cols, cells: cells, allRows: unique(answer.filter(function (r) { return r[cfg.rowKey]; }), cfg.rowKey).length };
  }

  function draw() {
    var level = levelSelect ? levelSelect.value : null;
    var metric = metricSelect ? metricSelect.value : "all";
    var g = grid(level, metric);
    var rows = g.rows;
    var cols = g.cols;
    shown = g.answer;
    var cellsData = g.cells;
    var size = cols.length > 40 ? 22 : 30;
    var left = 240;
    var top = 70;
    var width = left + cols.length * size + 10;
    var height = top + rows.length * size + 10;
    var max = d3.max(cellsData, function (r) { return cellValue(r, metric); }) || 0;
    var colour = V.colourOf(d3, max);
    var chart = root.querySelector("[data-chart]");
    chart.textContent = "";
    var svg = d3.select(chart).append("svg")
      .attr("viewBox", "0 0 " + width + " " + height).attr("width", width).attr("height", height)
      .attr("role", "group").attr("aria-label", cfg.rowName + " by " + cfg.colName + ": " + rows.length +
        " rows, " + cols.length + " columns; Tab to the first cell, then the arrow keys");
    svg.append("style").text("text{font:12px system-ui,sans-serif} .iv-cell:focus rect{stroke:#000;stroke-width:3}");
    var rowIndex = {};
    rows.forEach(function (r, i) { rowIndex[r[cfg.rowKey]] = i; });
    var colIndex = {};
    cols.forEach(function (c, i) { colIndex[c[cfg.colKey]] = i; });

    svg.append("g").selectAll("a").data(rows).join("a")
      .attr("href", function (r) { return V.pathOf(r[cfg.rowKey]); })
      .append("text").attr("x", left - 6).attr("y", function (r, i) { return top + i * size + size / 2 + 4; })
      .attr("text-anchor", "end").attr("fill", "#0b4f8a")
      .text(function (r) { var t = r[cfg.rowLabel] || r[cfg.rowKey]; return t.length > 36 ? t.slice(0, 35) + "…" : t; })
      .append("title").text(function (r) { return r[cfg.rowTitle] || ""; });
    svg.append("g").selectAll("a").data(cols).join("a")
      .attr("href", function (c) { return V.pathOf(c[cfg.colKey]); })
      .append("text")
      .attr("transform", function (c, i) { return "translate(" + (left + i * size + size / 2 + 4) + "," + (top - 6) + ") rotate(-60)"; })
      .attr("fill", "#0b4f8a")
      .text(function (c) { return c[cfg.colLabel]; })
      .append("title").text(function (c) { return c[cfg.colTitle] || ""; });

    var cells = svg.append("g").selectAll("g").data(cellsData).join("g")
      .attr("class", "iv-cell").attr("tabindex", function (r, i) { return i === 0 ? 0 : -1; })
      .attr("role", "button")
      .attr("data-row", function (r) { return r[cfg.rowKey]; })
      .attr("data-col", function (r) { return r[cfg.colKey]; })
      .attr("aria-label", function (r) {
        return (r[cfg.rowLabel] || "") + " × " + cfg.colName + " " + r[cfg.colLabel] + ": " + cellValue(r, metric) + " links";
      })
      .attr("transform", function (r) {
        return "translate(" + (left + colIndex[r[cfg.colKey]] * size) + "," + (top + rowIndex[r[cfg.rowKey]] * size) + ")";
      });
    cells.append("rect").attr("width", size - 2).attr("height", size - 2)
      .attr("fill", function (r) { return colour(cellValue(r, metric)); }).attr("stroke", "#767676");
    cells.append("text").attr("x", (size - 2) / 2).attr("y", size / 2 + 3).attr("text-anchor", "middle")
      .attr("fill", function (r) { return V.inkOn(d3, colour(cellValue(r, metric))); })
      .text(function (r) { return cellValue(r, metric); });
    cells.on("click", function (event, r) { details(r); })
      .on("keydown", function (event, r) { move(event, r, rows, cols, rowIndex, colIndex); });
    svgNode = svg.node();
    root.dataset.cells = String(cellsData.length);
    var more = root.querySelector('[data-action="more-rows"]');
    more.hidden = g.allRows <= rows.length;
    V.status(root, rows.length + (g.allRows > rows.length ? " of " + g.allRows + " (those with the most links)" : "") +
      " " + cfg.rowName + "s × " + cols.length + " " + cfg.colName +
      "s; darker cells have more links (white: none). Select a cell for its evidence.");
    renderMatrix(rows, cols, cellsData, metric);
    V.setState({ level: level, metric: metric === "all" ? null : metric, rows: rowLimit === ROWS ? null : rowLimit });
  }

  /** The table view: the grid as a table, a header per row and per column, counts in cells. */
  function renderMatrix(rows, cols, cellsData, metric) {
    var box = root.querySelector("[data-table]");
    box.textContent = "";
    var table = box.appendChild(V.element("table", { class: "iv-data" }));
    var head = table.appendChild(V.element("thead")).appendChild(V.element("tr"));
    head.appendChild(V.element("th", { scope: "col" }, cfg.rowName + " × " + cfg.colName));
    cols.forEach(function (c) {
      head.appendChild(V.element("th", { scope: "col" })).appendChild(V.valueNode(c[cfg.colKey], c[cfg.colLabel]));
    });
    var body = table.appendChild(V.element("tbody"));
    var i = 0;
    rows.forEach(function (r) {
      var tr = body.appendChild(V.element("tr"));
      tr.appendChild(V.element("th", { scope: "row" })).appendChild(V.valueNode(r[cfg.rowKey], r[cfg.rowLabel]));
      cols.forEach(function () { tr.appendChild(V.element("td", {}, String(cellValue(cellsData[i++], metric)))); });
    });
  }

  function move(event, r, rows, cols, rowIndex, colIndex) {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); details(r); return; }
    var steps = { ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0] }[event.key];
    if (!steps) { return; }
    event.preventDefault();
    var i = Math.min(rows.length - 1, Math.max(0, rowIndex[r[cfg.rowKey]] + steps[0]));
    var j = Math.min(cols.length - 1, Math.max(0, colIndex[r[cfg.colKey]] + steps[1]));
    var next = Array.prototype.find.call(root.querySelectorAll(".iv-cell"), function (cell) {
      return cell.getAttribute("data-row") === rows[i][cfg.rowKey] && cell.getAttribute("data-col") === cols[j][cfg.colKey];
    });
    if (next) {
      root.querySelectorAll(".iv-cell").forEach(function (cell) { cell.setAttribute("tabindex", "-1"); });
      next.setAttribute("tabindex", "0");
      next.focus();
    }
  }

  /** The evidence of one cell: its row and column resources, and the links behind it. */
  function details(r) {
    var box = root.querySelector("[data-details]");
    box.hidden = false;
    box.textContent = "";
    var heading = box.appendChild(V.element("h2"));
    heading.appendChild(V.valueNode(r[cfg.rowKey], r[cfg.rowLabel]));
    heading.appendChild(document.createTextNode(" × "));
    heading.appendChild(V.valueNode(r[cfg.colKey], cfg.colName + " " + r[cfg.colLabel]));
    var total = 0;
    evidence.forEach(function (column) {
      var items = (r[column] || "").split(" ").filter(Boolean);
      total += items.length;
      if (!items.length) { return; }
      box.appendChild(V.element("h3", {}, column.replace(/([A-Z])/g, " $1").toLowerCase()));
      var list = box.appendChild(V.element("ul"));
      items.forEach(function (iri) { list.appendChild(V.element("li")).appendChild(V.valueNode(iri)); });
    });
    if (!total) { box.appendChild(V.element("p", {}, "No link in the graph: this cell is a gap.")); }
    root.dataset.selected = r[cfg.rowKey] + " " + r[cfg.colKey];
  }

  [levelSelect, metricSelect].forEach(function (select) {
    if (!select) { return; }
    var key = select.getAttribute("data-control");
    var wanted = V.getState(key, select.value);
    if (select.querySelector('option[value="' + wanted + '"]')) { select.value = wanted; }
    select.addEventListener("change", draw);
  });
  root.querySelector('[data-action="more-rows"]').addEventListener("click", function () { rowLimit += ROWS; draw(); });
  V.wireDownloads(root, root.dataset.view, function () { return { columns: data.columns, rows: shown }; },
    function () { return svgNode; });
  V.fetchRows(cfg.api).then(function (answer) {
    data = answer;
    draw();
    V.markReady(root);
  }).catch(function (error) { V.status(root, "The data could not be loaded: " + error.message); });
}());
