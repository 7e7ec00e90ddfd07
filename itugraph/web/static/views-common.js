/* Shared parts of the interactive views (issue 16): the named-query API, the URL state,
   the table view, CSV/SVG/PNG downloads and links to resource pages. No inline script:
   each page's #view element carries its configuration in data-* attributes. */
(function () {
  "use strict";

  var BASE = "https://w3id.org/itugraph/";

  /** The rows of a named query, each {variable: lexical value}, from /api/queries/NAME. */
  function fetchRows(api, params) {
    var url = new URL(api, window.location.href);
    url.searchParams.set("format", "json");
    Object.keys(params || {}).forEach(function (key) { url.searchParams.set(key, params[key]); });
    return fetch(url.href, { headers: { Accept: "application/sparql-results+json" } })
      .then(function (reply) {
        if (!reply.ok) { throw new Error("the query API answered " + reply.status); }
        return reply.json();
      })
      .then(function (data) {
        return {
          columns: data.head.vars,
          rows: data.results.bindings.map(function (binding) {
            var row = {};
            Object.keys(binding).forEach(function (key) { row[key] = binding[key].value; });
            return row;
          }),
        };
      });
  }

  /** Where an IRI is described on this server (as itugraph.linkeddata.urls.path_of). */
  function pathOf(iri) {
    if (iri.indexOf(BASE) === 0) { return "/" + iri.slice(BASE.length); }
    return "/resource?iri=" + encodeURIComponent(iri);
  }

  function isIri(value) { return /^https?:\/\//.test(value || ""); }

  /** The page's state, kept in its query string (a permanent URL of what is shown). */
  function getState(key, fallback) {
    var value = new URLSearchParams(window.location.search).get(key);
    return value === null || value === "" ? fallback : value;
  }

  function setState(changes) {
    var params = new URLSearchParams(window.location.search);
    Object.keys(changes).forEach(function (key) {
      if (changes[key] === null || changes[key] === "" || changes[key] === undefined) {
        params.delete(key);
      } else { params.set(key, changes[key]); }
    });
    var search = params.toString();
    var url = window.location.pathname + (search ? "?" + search : "");
    window.history.replaceState(null, "", url);
    var permalink = document.querySelector("[data-permalink]");
    if (permalink) { permalink.setAttribute("href", url); }
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  /** A cell's content: a link to the resource page for IRIs, text otherwise. */
  function valueNode(value, label) {
    if (isIri(value)) { return element("a", { href: pathOf(value) }, label || value); }
    return document.createTextNode(value === undefined ? "" : value);
  }

  /** The table view: one row per answer row, IRIs as links (labels beside when given). */
  function renderTable(container, columns, rows, limit) {
    container.textContent = "";
    var shown = rows.slice(0, limit || 2000);
    var table = element("table", { class: "iv-data" });
    var head = table.appendChild(element("thead")).appendChild(element("tr"));
    columns.forEach(function (c) { head.appendChild(element("th", { scope: "col" }, c)); });
    var body = table.appendChild(element("tbody"));
    shown.forEach(function (row) {
      var tr = body.appendChild(element("tr"));
      columns.forEach(function (c) { tr.appendChild(element("td")).appendChild(valueNode(row[c])); });
    });
    container.appendChild(table);
    if (shown.length < rows.length) {
      container.appendChild(element("p", {}, "The first " + shown.length + " of " + rows.length +
        " rows; the CSV download has them all."));
    }
  }

  function csvText(columns, rows) {
    function quote(value) {
      var text = value === undefined ? "" : String(value);
      return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
    }
    return [columns.map(quote).join(",")].concat(rows.map(function (row) {
      return columns.map(function (c) { return quote(row[c]); }).join(",");
    })).join("\r\n") + "\r\n";
  }

  function save(blob, filename) {
    var link = element("a", { href: URL.createObjectURL(blob), download: filename });
    document.body.appendChild(link);
    link.click();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  function svgBlob(svg) {
    var copy = svg.cloneNode(true);
    copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    copy.setAttribute("xmlns:xlink", "http://www.w3.org/1999/xlink");
    var text = new XMLSerializer().serializeToString(copy);
    return new Blob(['<?xml version="1.0" encoding="UTF-8"?>\n', text], { type: "image/svg+xml" });
  }

  /** An SVG chart drawn onto a canvas (white background), saved as PNG. */
  function savePng(svg, filename) {
    var box = svg.getBoundingClientRect();
    var width = Math.ceil(svg.viewBox.baseVal.width || box.width);
    var height = Math.ceil(svg.viewBox.baseVal.height || box.height);
    var image = new Image();
    var url = URL.createObjectURL(svgBlob(svg));
    image.onload = function () {
      var canvas = element("canvas", { width: width * 2, height: height * 2 });
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.scale(2, 2);
      context.drawImage(image, 0, 0, width, height);
      URL.revokeObjectURL(url);
      canvas.toBlob(function (blob) { save(blob, filename); }, "image/png");
    };
    image.src = url;
  }

  /** Wire the toolbar's download buttons: getData() gives {columns, rows}; getSvg() the chart. */
  function wireDownloads(root, name, getData, getSvg, getPng) {
    function on(action, handler) {
      var button = root.querySelector('[data-action="' + action + '"]');
      if (button) { button.addEventListener("click", handler); }
    }
    on("download-csv", function () {
      var data = getData();
      save(new Blob([csvText(data.columns, data.rows)], { type: "text/csv" }), name + ".csv");
    });
    on("download-svg", function () { var svg = getSvg && getSvg(); if (svg) { save(svgBlob(svg), name + ".svg"); } });
    on("download-png", function () {
      if (getPng) { getPng(function (blob) { save(blob, name + ".png"); }); return; }
      var svg = getSvg && getSvg();
      if (svg) { savePng(svg, name + ".png"); }
    });
  }

  function status(root, text) {
    var line = root.querySelector("[data-status]");
    if (line) { line.textContent = text; }
  }

  /** The accessible colour scale of every heatmap: viridis (colour-blind safe), 0 is white. */
  function colourOf(d3, max) {
    var scale = d3.scaleSequential(function (t) { return d3.interpolateViridis(1 - t); }).domain([0, Math.max(1, max)]);
    return function (value) { return value > 0 ? scale(value) : "#ffffff"; };
  }

  /** Black or white text, whichever contrasts more with a background colour. */
  function inkOn(d3, colour) {
    var c = d3.rgb(colour);
    var luminance = (0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b) / 255;
    return luminance > 0.5 ? "#111" : "#fff";
  }

  /** The view is drawn and usable: data-ready for tests, a Performance API mark for the bench. */
  function markReady(root) {
    root.dataset.ready = "true";
    if (window.performance && performance.mark) { performance.mark("itugraph-ready"); }
  }

  window.itugraphViews = {
    markReady: markReady,
    fetchRows: fetchRows,
    pathOf: pathOf,
    isIri: isIri,
    getState: getState,
    setState: setState,
    element: element,
    valueNode: valueNode,
    renderTable: renderTable,
    csvText: csvText,
    wireDownloads: wireDownloads,
    status: status,
    colourOf: colourOf,
    inkOn: inkOn,
    ready: {},
  };
}());
