/* The dashboard's charts: every element with data-chart="<id of a JSON script>" is drawn
   with Plotly from that figure. The toolbar shows on hover on wide screens and never on
   phones (it would cover the chart); Dutch pages use Plotly's Dutch locale. An element with
   data-link="/regions/" sends a click on an area to that area's page. */
(function () {
  "use strict";
  var phone = window.matchMedia("(max-width: 640px)");
  var lang = document.documentElement.lang || "nl";

  function config() {
    return {
      displaylogo: false,
      responsive: true,
      displayModeBar: phone.matches ? false : "hover",
      modeBarButtonsToRemove: ["select2d", "lasso2d", "sendDataToCloud"],
      locale: lang,
      scrollZoom: false
    };
  }

  /* A map shows the whole country at any width: the zoom that fits the box
     layout.map.fit = {lon: [west, east], lat: [south, north]} into the element. */
  function fitZoom(fit, width, height) {
    function y(lat) { var s = Math.sin(lat * Math.PI / 180); return Math.log((1 + s) / (1 - s)) / 2; }
    var lonSpan = (fit.lon[1] - fit.lon[0]) / 360;
    var latSpan = (y(fit.lat[1]) - y(fit.lat[0])) / (2 * Math.PI);
    var zoom = Math.min(Math.log2(width / 512 / lonSpan), Math.log2(height / 512 / latSpan));
    return Math.max(0, zoom - 0.05);
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || typeof Plotly === "undefined") { return; }
    var fig = JSON.parse(source.textContent);
    if (phone.matches && fig.layout.height_phone) { fig.layout.height = fig.layout.height_phone; }
    delete fig.layout.height_phone;
    var map = fig.layout.map;
    if (map && map.fit) {
      var margin = fig.layout.margin || {};
      map.zoom = fitZoom(map.fit, el.clientWidth - (margin.l || 0) - (margin.r || 0),
                         fig.layout.height - (margin.t || 0) - (margin.b || 0));
      map.center = {lon: (map.fit.lon[0] + map.fit.lon[1]) / 2, lat: (map.fit.lat[0] + map.fit.lat[1]) / 2};
      delete map.fit;
    }
    Plotly.newPlot(el, fig.data, fig.layout, config()).then(function (gd) {
      var link = el.getAttribute("data-link");
      if (!link) { return; }
      gd.on("plotly_click", function (ev) {
        var pt = ev.points && ev.points[0];
        var id = pt && (pt.customdata || pt.location);
        if (id && /^(PV|GM|VS)/.test(String(id))) { window.location = link + id; }
      });
    });
  }

  function drawAll() {
    var charts = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < charts.length; i++) { draw(charts[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
