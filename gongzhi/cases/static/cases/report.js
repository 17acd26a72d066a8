/* The report forms (resident H5 and grid patrol): category search, a tap on the grid map or the
 * phone's position for the place, at most six photos, and the 即报即办 result field.
 *
 * Positions are sent as WGS-84 (crs=wgs84): the browser's Geolocation API answers in WGS-84, and
 * the map shows our own WGS-84 polygons with no base map, so a tap is WGS-84 too.
 */
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  if (!form) { return; }
  var text = form.dataset;

  function byName(name) { return form.querySelector("[name='" + name + "']"); }

  // ── category search ──────────────────────────────────────────────────────────────────────────
  var search = document.getElementById("category-search");
  var results = document.getElementById("category-results");
  var chosen = document.getElementById("category-chosen");
  var chosenName = document.getElementById("category-chosen-name");
  var hidden = byName("category");
  var timer = null;

  function choose(code, name) {
    hidden.value = code;
    chosenName.textContent = name;
    chosen.hidden = !code;
    results.innerHTML = "";
    search.value = "";
  }

  function show(rows) {
    results.innerHTML = "";
    rows.forEach(function (row) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "category-option";
      button.dataset.code = row.code;
      button.textContent = row.path;
      button.addEventListener("click", function () { choose(row.code, row.name); });
      li.appendChild(button);
      results.appendChild(li);
    });
  }

  if (search && results && hidden) {
    search.addEventListener("input", function () {
      clearTimeout(timer);
      var q = search.value.trim();
      if (!q) { results.innerHTML = ""; return; }
      timer = setTimeout(function () {
        fetch(text.categoriesUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) { if (search.value.trim() === q) { show(data.results || []); } })
          .catch(function () { results.innerHTML = ""; });
      }, 200);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
    document.getElementById("category-clear").addEventListener("click", function () {
      choose("", "");
      search.focus();
    });
  }

  // ── the place ────────────────────────────────────────────────────────────────────────────────
  var el = document.getElementById("pick-map");
  var lon = byName("lon");
  var lat = byName("lat");
  var crs = byName("crs");
  var picked = document.getElementById("picked");
  var map = null;
  var marker = null;

  function setPoint(lng, la, pan) {
    lon.value = lng.toFixed(6);
    lat.value = la.toFixed(6);
    crs.value = "wgs84";
    if (picked) { picked.textContent = (text.pickedText || "") + " " + lon.value + ", " + lat.value; }
    if (!map) { return; }
    var at = L.latLng(la, lng);
    if (marker) { marker.setLatLng(at); } else {
      marker = L.circleMarker(at, { radius: 9, color: "#ffffff", weight: 3, fillColor: "#dc2626", fillOpacity: 1,
                                    className: "gz-picked" }).addTo(map);
    }
    if (pan) { map.panTo(at); }
  }

  function drawGrids(collection) {
    var layer = L.geoJSON(collection, {
      // `style` is the one moment Leaflet reads a path's className (see web/regionmap.js).
      style: function (feature) {
        var p = feature.properties || {};
        var c = getComputedStyle(document.documentElement).getPropertyValue("--kind-comprehensive").trim() || "#15803d";
        return { color: c, weight: 1.2, fillColor: c, fillOpacity: 0.12, className: "gz-grid gz-code-" + (p.code || "") };
      },
      onEachFeature: function (feature, featureLayer) {
        featureLayer.bindTooltip((feature.properties || {}).name || "", { sticky: true, direction: "top" });
      },
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); } else { map.setView([32.06, 118.8], 12); }
    if (lon.value && lat.value) { setPoint(parseFloat(lon.value), parseFloat(lat.value), true); }
    el.dataset.ready = "true";
  }

  if (el && window.L) {
    map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
    map.on("click", function (event) { setPoint(event.latlng.lng, event.latlng.lat, false); });
    fetch(el.dataset.gridsUrl, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(drawGrids)
      .catch(function () { el.classList.add("map-empty"); el.textContent = el.dataset.emptyText || ""; });
  }

  var locate = document.getElementById("use-my-position");
  if (locate) {
    if (!navigator.geolocation) { locate.hidden = true; }
    locate.addEventListener("click", function () {
      if (picked) { picked.textContent = text.locatingText || ""; }
      navigator.geolocation.getCurrentPosition(
        function (position) { setPoint(position.coords.longitude, position.coords.latitude, true); },
        function () { if (picked) { picked.textContent = text.locateFailedText || ""; } },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  // ── photos and 即报即办 ───────────────────────────────────────────────────────────────────────
  var photos = byName("photos");
  if (photos) {
    photos.addEventListener("change", function () {
      photos.setCustomValidity(photos.files.length > 6 ? (text.tooManyText || "6") : "");
      photos.reportValidity();
    });
  }
  var onSpot = byName("close_on_spot");
  var result = document.getElementById("on-spot-result");
  if (onSpot && result) {
    var sync = function () { result.hidden = !onSpot.checked; };
    onSpot.addEventListener("change", sync);
    sync();
  }
})();
