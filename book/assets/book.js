// The book's script (scripts/build-site.sh): kernel-free visualizers and the offline search. No network.
(function () {
  "use strict";
  // The look of every chart in the notebooks (NotebookHost.ChartHtml applies the same template).
  var TEMPLATE = {"layout":{"colorway":["#636efa","#EF553B","#00cc96","#ab63fa","#FFA15A","#19d3f3","#FF6692",
    "#B6E880","#FF97FF","#FECB52"],"paper_bgcolor":"white","plot_bgcolor":"white",
    "font":{"family":"Helvetica, Arial, sans-serif","size":13},"hovermode":"closest",
    "legend":{"bgcolor":"rgba(255,255,255,0.8)"},
    "xaxis":{"gridcolor":"#ebebeb","linecolor":"#888","showline":true,"ticks":"outside","zeroline":false,"automargin":true},
    "yaxis":{"gridcolor":"#ebebeb","linecolor":"#888","showline":true,"ticks":"outside","zeroline":false,"automargin":true}}};

  // A visualizer: parameters [{name, values}], frames [{name, index: [i0, i1, ...], figure: {data, layout}}],
  // one Plotly slider per parameter; moving one redraws with the frame of the chosen grid point.
  function initViz(el) {
    var v = (window.SDN_VIZ || {})[el.getAttribute("data-viz")];
    if (!v || !window.Plotly) { el.textContent = "visualizer data missing"; return; }
    var state = (v.initial || v.parameters.map(function () { return 0; })).slice();
    var byKey = {};
    v.frames.forEach(function (f) { byKey[f.index.join(",")] = f; });
    var SLIDER_H = 70;
    function layoutFor(frame) {
      var layout = JSON.parse(JSON.stringify(frame.figure.layout || {}));
      layout.template = layout.template || TEMPLATE;
      // As book/build.py does for the notebook pages: Charts.Heatmap declares categorical axes "linear".
      (frame.figure.data || []).forEach(function (t) {
        if (t.type !== "heatmap") return;
        ["x", "y"].forEach(function (a) {
          var spec = layout[a + "axis"];
          if (spec && spec.type === "linear" && t[a] && typeof t[a][0] === "string") spec.type = "category";
        });
      });
      var n = v.parameters.length;
      layout.margin = Object.assign({t: 60, l: 60, r: 30}, layout.margin || {});
      layout.margin.b = Math.max(layout.margin.b || 0, 80) + n * SLIDER_H;
      if (layout.height) layout.height += n * SLIDER_H;
      else layout.height = 480 + n * SLIDER_H;
      var paperH = layout.height - layout.margin.t - layout.margin.b; // slider y is in paper units
      layout.sliders = v.parameters.map(function (p, k) {
        return {
          active: state[k], pad: {t: 0}, len: 0.9, x: 0.05, xanchor: "left",
          y: -(70 + k * SLIDER_H) / paperH, yanchor: "top",
          currentvalue: {prefix: p.name + ": ", visible: true, xanchor: "left"},
          steps: p.values.map(function (val) { return {label: String(val), method: "skip", args: []}; })
        };
      });
      return layout;
    }
    function draw() {
      var frame = byKey[state.join(",")];
      if (!frame) { return; }
      return Plotly.react(el, frame.figure.data, layoutFor(frame), {responsive: true});
    }
    draw();
    el.on("plotly_sliderchange", function (e) {
      var k = e.slider._index !== undefined ? e.slider._index : 0;
      var i = e.step._index !== undefined ? e.step._index : e.slider.steps.indexOf(e.step);
      if (state[k] === i) return;
      state[k] = i;
      el.setAttribute("data-state", state.join(","));
      setTimeout(draw, 0);
    });
    el.setAttribute("data-state", state.join(","));
  }

  // Search: every word of the query must occur (prefix match); questions rank first, then titles.
  function initSearch(input) {
    var entries = window.SDN_SEARCH || [];
    var list = document.getElementById("book-search-results");
    var count = document.getElementById("book-search-count");
    entries.forEach(function (e) {
      e._t = (e.title || "").toLowerCase(); e._x = (e.notebook + " " + e.title + " " + e.text).toLowerCase();
    });
    function esc(s) { var d = document.createElement("div"); d.textContent = s; return d.innerHTML; }
    function run() {
      var words = input.value.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 1; });
      list.innerHTML = "";
      if (!words.length) { count.textContent = entries.length + " entries indexed"; return; }
      var hits = [];
      entries.forEach(function (e) {
        var score = 0;
        for (var i = 0; i < words.length; i++) {
          if (e._x.indexOf(words[i]) < 0) return;
          if (e._t.indexOf(words[i]) >= 0) score += 2;
        }
        if (e.kind === "question") score += 3;
        hits.push([score, e]);
      });
      hits.sort(function (a, b) { return b[0] - a[0]; });
      count.textContent = hits.length + " results";
      hits.slice(0, 60).forEach(function (h) {
        var e = h[1], li = document.createElement("li");
        li.className = "hit hit-" + e.kind;
        li.innerHTML = '<span class="hit-kind">' + esc(e.kind) + " · " + esc(e.notebook) + '</span><br><a href="' +
          esc(e.href) + '">' + esc(e.title || e.notebook) + '</a><div class="hit-text">' + esc(e.text.slice(0, 240)) + "</div>";
        list.appendChild(li);
      });
    }
    input.addEventListener("input", run);
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) input.value = q;
    run();
  }

  function ready() {
    Array.prototype.forEach.call(document.querySelectorAll(".sdn-viz[data-viz]"), initViz);
    var s = document.getElementById("book-search");
    if (s) initSearch(s);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready); else ready();
})();
