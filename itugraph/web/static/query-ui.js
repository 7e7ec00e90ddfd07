/*
 * itugraph query page: YASGUI wired to our endpoint, our prefixes and our named queries.
 * Page data comes from the JSON island #itugraph-config (see itugraph/web/ui.py).
 * Nothing here talks to another origin: prefix.cc and LOV autocompletion are switched off.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("itugraph-config").textContent);
  var root = document.getElementById("yasgui");
  // The UMD bundle defines window.Yasgui as the class (older builds: a module object).
  var Yasgui = typeof window.Yasgui === "function" ? window.Yasgui
    : window.Yasgui && (window.Yasgui.default || window.Yasgui.Yasgui);
  var Yasqe = window.Yasqe;
  if (!Yasgui || !Yasqe) {
    root.innerHTML = '<p class="ig-error">The query editor failed to load. Rebuild it with ' +
      "<code>make ui</code>, or query <code>" + config.endpoint + "</code> directly.</p>";
    return;
  }
  var endpoint = new URL(config.endpoint, window.location.href).href;

  // Autocompletion stays local: variables, and prefixes from our list then YASGUI's bundled
  // one; the "property" and "class" completers ask lov.linkeddata.es and are dropped.
  Yasqe.defaults.prefixCcApi = null;
  Yasqe.defaults.autocompleters = Yasqe.defaults.autocompleters.filter(function (name) {
    return name === "prefixes" || name === "variables";
  });
  var ours = Object.keys(config.prefixes).map(function (p) {
    return p + ": <" + config.prefixes[p] + ">";
  });
  var bundled = Yasqe.Autocompleters.prefixes;
  if (bundled) {
    Yasqe.Autocompleters.prefixes = Object.assign({}, bundled, {
      get: function (yasqe) {
        return bundled.get(yasqe).then(function (list) {
          var taken = {};
          Object.keys(config.prefixes).forEach(function (p) { taken[p] = true; });
          return ours.concat(list.filter(function (line) {
            return !taken[line.slice(0, line.indexOf(":"))];
          }));
        });
      },
    });
  }

  var yasgui = new Yasgui(root, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    copyEndpointOnNewTab: true,
    // Saved tabs are keyed by a fingerprint of the examples: editing queries/ resets them.
    persistenceId: config.storageKey,
    autoAddOnInit: false,
    tabName: "Query",
    yasqe: { value: config.newTabQuery, prefixCcApi: null, editorHeight: "320px", collapsePrefixesOnLoad: false },
    yasr: { prefixes: config.prefixes },
  });

  var byName = {};
  config.examples.forEach(function (example) { byName[example.name] = example; });

  function openExample(example, select) {
    return yasgui.addTab(select, {
      name: example.title,
      yasqe: { value: example.query },
      requestConfig: { endpoint: endpoint },
    }, { avoidDuplicateTabs: true });
  }

  // First visit (nothing saved): one tab per named query, the first one selected.
  if (yasgui.persistentConfig.getTabs().length === 0) {
    if (config.examples.length === 0) {
      yasgui.addTab(true, { requestConfig: { endpoint: endpoint } });
    } else {
      config.examples.forEach(function (example, i) { openExample(example, i === 0); });
    }
    var first = yasgui.persistentConfig.getTabs()[0];
    if (first) { yasgui.selectTabId(first); }
  }

  // /query?example=NAME (the views' "show query" links) opens that named query's tab; a
  // parameter given beside it (&resource=IRI) replaces its default in the VALUES block.
  var asked = new URLSearchParams(window.location.search);
  var wanted = byName[asked.get("example") || ""];
  if (wanted) {
    var given = wanted.parameters.filter(function (p) { return asked.get(p.name) && p.default; });
    if (given.length) {
      var query = wanted.query;
      given.forEach(function (p) {
        var quote = p.type === "iri" ? ["<", ">"] : ['"', '"'];
        query = query.replace(quote[0] + p.default + quote[1], quote[0] + asked.get(p.name) + quote[1]);
      });
      wanted = Object.assign({}, wanted, {
        query: query,
        title: wanted.title + " (" + given.map(function (p) { return asked.get(p.name); }).join(", ") + ")",
      });
    }
    openExample(wanted, true);
  }

  // The example list in the header opens (or selects) the example's tab.
  document.querySelectorAll("[data-example]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var example = byName[link.getAttribute("data-example")];
      if (!example) { return; }
      event.preventDefault();
      openExample(example, true);
      var list = link.closest("details");
      if (list) { list.open = false; }
      revealActiveTab();
    });
  });

  // Tabs sit in one scrolling row: keep the selected one in view.
  function revealActiveTab() {
    window.setTimeout(function () {
      var active = root.querySelector(".tabsList .tab.active");
      if (active) { active.scrollIntoView({ block: "nearest", inline: "nearest" }); }
    }, 0);
  }
  yasgui.on("tabSelect", revealActiveTab);
  yasgui.on("tabAdd", revealActiveTab);
  revealActiveTab();

  window.itugraphYasgui = yasgui;
}());
