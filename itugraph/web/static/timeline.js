/* The timeline (query 34): one track per kind of dated thing (conferences and assemblies,
   each sector's study periods, launches), years along the axis; every mark is a link to
   its resource page, reached by Tab. A year range is kept in the URL (from=, to=). */
(function () {
  "use strict";
  var V = window.itugraphViews;
  var d3 = window.d3;
  var root = document.getElementById("view");
  var from = root.querySelector('[data-control="from"]');
  var to = root.querySelector('[data-control="to"]');
  var data = { columns: [], rows: [] };
  var shown = [];
  var svgNode = null;
  var drawn = "";
  // Okabe-Ito colours: told apart by colour-blind readers.
  var PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];
  // The text colour on each (contrast 4.5:1 or more).
  var INK = ["#fff", "#000", "#000", "#000", "#000", "#000"];

  /** A short name for a mark: the acronym in parentheses (PP-18), else the label. */
  function shortLabel(r) {
    var label = r.label || r.item;
    var acronym = /\(([^()]{2,12})\)/.exec(label);
    return acronym ? acronym[1] : label;
  }

  function draw() {
    var lo = Number(from.value);
    var hi = Number(to.value);
    // A blur after an edit fires "change" again: redrawing then would swallow the click.
    if (drawn === lo + "-" + hi) { return; }
    drawn = lo + "-" + hi;
    shown = data.rows.filter(function (r) { return Number(r.endYear) >= lo && Number(r.startYear) <= hi; });
    var tracks = Array.from(new Set(shown.map(function (r) { return r.track; })));
    var lanes = {};
    var laneHeight = 22;
    var trackTop = {};
    var y = 30;
    tracks.forEach(function (t) {
      var ends = [];
      shown.filter(function (r) { return r.track === t; }).forEach(function (r) {
        var lane = ends.findIndex(function (end) { return end < Number(r.startYear); });
        if (lane < 0) { lane = ends.length; ends.push(0); }
        ends[lane] = Number(r.endYear);
        lanes[r.item] = lane;
      });
      trackTop[t] = y;
      y += Math.max(1, ends.length) * laneHeight + 30;
    });
    var width = 960;
    var left = 10;
    var x = d3.scaleLinear().domain([lo, hi + 1]).range([left, width - 10]);
    var chart = root.querySelector("[data-chart]");
    chart.textContent = "";
    var svg = d3.select(chart).append("svg").attr("viewBox", "0 0 " + width + " " + (y + 20))
      .attr("width", "100%").attr("role", "group")
      .attr("aria-label", "Timeline " + lo + " to " + hi + ": " + shown.length + " items; Tab through them");
    svg.append("style").text("text{font:12px system-ui,sans-serif} a:focus rect{stroke:#000;stroke-width:3}");
    svg.append("g").attr("transform", "translate(0," + (y) + ")")
      .call(d3.axisBottom(x).tickFormat(d3.format("d")).ticks(Math.min(20, hi - lo + 1)));
    var visible = {};
    shown.forEach(function (r) {
      var room = Math.floor((x(Number(r.endYear) + 1) - x(Number(r.startYear)) - 8) / 6.8);
      var text = shortLabel(r);
      visible[r.item] = room < 3 ? "" : text.length > room ? text.slice(0, room - 1) + "…" : text;
    });
    tracks.forEach(function (t, i) {
      svg.append("text").attr("x", left).attr("y", trackTop[t] - 8).attr("font-weight", "bold").text(t);
      svg.selectAll(null).data(shown.filter(function (r) { return r.track === t; })).join("a")
        .attr("href", function (r) { return V.pathOf(r.item); })
        .attr("class", "iv-mark")
        .attr("aria-label", function (r) {
          // The accessible name starts with the text drawn on the mark (WCAG 2.5.3).
          var years = r.startYear + (r.endYear !== r.startYear ? "–" + r.endYear : "");
          return (visible[r.item] ? visible[r.item] + ": " : "") + (r.label || r.item) + ", " + years;
        })
        .call(function (mark) {
          mark.append("rect")
            .attr("x", function (r) { return x(Number(r.startYear)); })
            .attr("y", function (r) { return trackTop[t] + lanes[r.item] * laneHeight; })
            .attr("width", function (r) { return Math.max(6, x(Number(r.endYear) + 1) - x(Number(r.startYear)) - 2); })
            .attr("height", laneHeight - 4).attr("rx", 3).attr("fill", PALETTE[i % PALETTE.length]);
          mark.append("text")
            .attr("x", function (r) { return x(Number(r.startYear)) + 4; })
            .attr("y", function (r) { return trackTop[t] + lanes[r.item] * laneHeight + laneHeight / 2 + 2; })
            .attr("fill", INK[i % INK.length]).attr("font-size", 10)
            .text(function (r) { return visible[r.item]; });
          mark.append("title").text(function (r) { return (r.label || r.item) + " (" + (r.startDate || r.startYear) + ")"; });
        });
    });
    svgNode = svg.node();
    root.dataset.marks = String(shown.length);
    V.status(root, shown.length + " dated items from " + lo + " to " + hi + "; each mark opens its page.");
    V.renderTable(root.querySelector("[data-table]"), data.columns, shown);
    V.setState({ from: lo, to: hi });
  }

  V.wireDownloads(root, "timeline", function () { return { columns: data.columns, rows: shown }; },
    function () { return svgNode; });
  [from, to].forEach(function (input) { input.addEventListener("change", draw); });
  V.fetchRows(root.dataset.api).then(function (answer) {
    data = answer;
    var years = answer.rows.map(function (r) { return Number(r.startYear); }).concat(answer.rows.map(function (r) { return Number(r.endYear); }));
    from.value = V.getState("from", String(d3.min(years)));
    to.value = V.getState("to", String(d3.max(years)));
    draw();
    V.markReady(root);
  }).catch(function (error) { V.status(root, "The data could not be loaded: " + error.message); });
}());
