/* Region maps: draws the FeatureCollection from `data-geojson-url` (see gongzhi/web/maps.py).
 *
 * Colours come from the CSS custom properties `--kind-<kind>` so the map and its legend cannot
 * drift apart. No tile layer unless the page passes one: government intranets rarely have one, and
 * outlines on a plain background are enough to find one's way around a grid. A tile server must
 * serve WGS-84 tiles (e.g. Tianditu); GCJ-02 tiles would sit a few hundred metres off the outlines.
 */
(function () {
  "use strict";

  var rootStyle = getComputedStyle(document.documentElement);

  function colour(kind) {
    return rootStyle.getPropertyValue("--kind-" + kind).trim() || "#475569";
  }

  function classes(p, highlight) {
    return "gz-feature gz-" + p.role + " gz-kind-" + p.kind + " gz-code-" + p.code +
      (p.code === highlight ? " gz-highlight" : "");
  }

  // Leaflet applies `style` to every feature, points included, before adding it to the map, which
  // is also the only moment a path's `className` is read.
  function featureStyle(feature, highlight, leaf) {
    var p = feature.properties;
    var c = colour(p.kind);
    var base = { className: classes(p, highlight) };
    if (p.role === "building") {
      var on = p.code === highlight;
      var hc = colour("highlight");
      return L.Util.extend(base, {
        radius: on ? 8 : 5, color: on ? hc : "#ffffff", weight: on ? 3 : 1.5,
        fillColor: on ? hc : c, fillOpacity: 0.95,
      });
    }
    if (p.role === "self") {
      // The page's own region is the frame: outline only, so its children read clearly inside it;
      // a region without children (a grid) is the subject itself and gets a visible fill.
      return L.Util.extend(base, {
        color: c, weight: 2.5, dashArray: "6 4", fillColor: c, fillOpacity: leaf ? 0.16 : 0.04,
      });
    }
    return L.Util.extend(base, { color: c, weight: 1.5, fillColor: c, fillOpacity: 0.22 });
  }

  function tooltip(p) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = p.name;
    var meta = document.createElement("div");
    meta.className = "gz-tip-meta";
    meta.textContent = p.label + " · " + p.code;
    box.appendChild(name);
    box.appendChild(meta);
    return box;
  }

  // Names written on the map help as long as they do not pile up; past this many children the
  // hover tooltips are enough.
  var MAX_LABELS = 60;

  function addLabels(map, collection) {
    var children = collection.features.filter(function (f) { return f.properties.role === "child"; });
    if (children.length > MAX_LABELS) { return; }
    children.forEach(function (f) {
      var at = f.properties.label_at;
      if (!at) { return; }
      var text = document.createElement("span");
      text.textContent = f.properties.name;
      L.marker([at[1], at[0]], {
        icon: L.divIcon({ className: "gz-label", html: text, iconSize: null }),
        interactive: false,
        keyboard: false,
      }).addTo(map);
    });
  }

  function draw(map, el, collection) {
    var highlight = el.dataset.highlight || "";
    var leaf = !collection.features.some(function (f) { return f.properties.role === "child"; });
    var selfLayer = null;
    var highlighted = null;
    var layer = L.geoJSON(collection, {
      style: function (feature) { return featureStyle(feature, highlight, leaf); },
      pointToLayer: function (feature, latlng) { return L.circleMarker(latlng); },
      onEachFeature: function (feature, featureLayer) {
        var p = feature.properties;
        featureLayer.bindTooltip(tooltip(p), { sticky: p.role !== "building", direction: "top" });
        if (p.role === "self") {
          selfLayer = featureLayer;
          return;
        }
        if (p.code === highlight) {
          highlighted = featureLayer;
          return;
        }
        featureLayer.on("click", function () { window.location.assign(p.url); });
        if (p.role === "child") {
          featureLayer.on("mouseover", function () { featureLayer.setStyle({ weight: 3, fillOpacity: 0.38 }); });
          featureLayer.on("mouseout", function () { layer.resetStyle(featureLayer); });
        }
      },
    }).addTo(map);
    if (highlighted) {
      highlighted.bringToFront();
    }
    var frame = selfLayer || layer;
    var bounds = frame.getBounds ? frame.getBounds() : null;
    if (!bounds || !bounds.isValid()) {
      el.classList.add("map-empty");
      el.textContent = el.dataset.emptyText || "";
      map.remove();
      return;
    }
    map.fitBounds(bounds, { padding: [12, 12] });
    addLabels(map, collection);
    el.dataset.ready = "true";  // lets browser tests wait for the drawing instead of sleeping
  }

  function init(el) {
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: Boolean(el.dataset.tileUrl) });
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    fetch(el.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
        return response.json();
      })
      .then(function (collection) { draw(map, el, collection); })
      .catch(function (error) {
        el.classList.add("map-empty");
        el.textContent = String(error);
      });
  }

  function start() {
    document.querySelectorAll("[data-geojson-url]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
