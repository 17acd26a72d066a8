/* Case maps: open cases as coloured points over the user's own region outlines (/cases/map/), or one
 * case's point inside its grid (the case page). Data: `data-geojson-url`, or the JSON script
 * #case-map-data. Colours come from the CSS variables `--case-<kind>` so map and legend agree.
 * No tile layer: our outlines are the map (see web/regionmap.js for why).
 */
(function () {
  "use strict";

  var rootStyle = getComputedStyle(document.documentElement);

  function colour(kind) {
    return rootStyle.getPropertyValue("--case-" + kind).trim() || "#475569";
  }

  function popup(p) {
    var box = document.createElement("div");
    var title = document.createElement(p.url ? "a" : "strong");
    if (p.url) { title.href = p.url; }
    title.textContent = (p.number ? p.number + " " : "") + (p.name || "");
    box.appendChild(title);
    if (p.status || p.category) {
      var meta = document.createElement("div");
      meta.className = "gz-tip-meta";
      meta.textContent = [p.status, p.category].filter(Boolean).join(" · ");
      box.appendChild(meta);
    }
    return box;
  }

  function draw(map, el, collection) {
    var points = [];
    var layer = L.geoJSON(collection, {
      // Leaflet applies `style` to points too, so a case point gets its own look here.
      style: function (feature) {
        var p = feature.properties || {};
        if (p.role === "case") {
          return { radius: 7, color: "#ffffff", weight: 2, fillColor: colour(p.kind), fillOpacity: 0.95,
                   className: "gz-case gz-case-" + (p.kind || "pending") };
        }
        var c = rootStyle.getPropertyValue("--kind-" + (p.kind || "street")).trim() || "#2563eb";
        return { color: c, weight: 2, dashArray: "6 4", fillColor: c, fillOpacity: 0.06, className: "gz-frame" };
      },
      pointToLayer: function (feature, latlng) {
        points.push(latlng);
        return L.circleMarker(latlng, { radius: 7 });
      },
      onEachFeature: function (feature, featureLayer) {
        var p = feature.properties || {};
        if (p.role === "case") { featureLayer.bindPopup(popup(p)); }
      },
    }).addTo(map);
    var bounds = layer.getBounds();
    if (!bounds.isValid()) {
      el.classList.add("map-empty");
      el.textContent = el.dataset.emptyText || "";
      map.remove();
      return;
    }
    if (points.length === 1 && collection.features.length <= 2) {
      map.fitBounds(bounds, { padding: [12, 12], maxZoom: 16 });
    } else {
      map.fitBounds(bounds, { padding: [12, 12] });
    }
    el.dataset.ready = "true";
  }

  function init(el) {
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
    if (el.dataset.geojsonUrl) {
      fetch(el.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (c) { draw(map, el, c); })
        .catch(function (error) { el.classList.add("map-empty"); el.textContent = String(error); });
    } else {
      var script = document.getElementById("case-map-data");
      if (script) { draw(map, el, JSON.parse(script.textContent)); }
    }
  }

  function start() { document.querySelectorAll("[data-case-map]").forEach(init); }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
