"""The story's steps on the interactive map: a bar with one line of text and buttons, the
arrow keys, and a postMessage API for a host page that drives the map as its reader scrolls.

The bar is written into the page's HTML with the first step's text, so without JavaScript
(or before it runs) the first step shows; the script then moves it right under the map (the
map's whole area stays free for the frame), frames each step's layers (rangemap.story) in
whatever projection the map has, and switches its layers.

Host pages send ``{"rangemap": "step", "step": N}`` (N from 0) to the frame; the frame
answers each change with ``{"rangemap": "step", "step": N, "steps": COUNT}``.
"""

from __future__ import annotations

from rangemap import story
from rangemap.render.html_parts import esc
from rangemap.render.map_words import MapWords, words_of
from rangemap.scene_build import ResolvedScene


def step_texts(scene: ResolvedScene, w: MapWords) -> list[str]:
    """Each step's text in the language of `w`: a scene's own steps through the phrases'
    `step_texts` (the built-in scenes'), else as written; the two steps rangemap.story
    makes for a scene without steps, in the phrases' words."""
    steps = story.steps(scene)
    if scene.steps:
        return [w.step_text(step.text) for step in steps]
    drawn = {layer.id: layer for layer in scene.drawn}
    lead, far = story.lead(scene), story.longest(scene)
    texts = []
    for step in steps:
        if step.index == 0 and lead.layers:  # the lead, and the first place it marks
            places = [w("marked", place=w.place(p.name, p.lat, p.lon)) for p in lead.places]
            texts.append(w.claim_label(drawn[lead.layers[0]]).text + "".join(places[:1]))
        else:  # everything shown at first
            longest = w("the_longest", label=w.claim_label(far).text) if far else ""
            texts.append(w("every_range") + longest)
    return texts


def steps_config(scene: ResolvedScene, w: MapWords | None = None) -> dict:
    """What the page script needs: each step's text, layers on and the points it frames,
    and the longest range, which the first view mentions when it does not show it."""
    w = w or words_of(scene)
    steps = story.steps(scene)
    texts = step_texts(scene, w)
    far = story.longest(scene)
    longest = None
    if far is not None and far.id not in steps[0].show:
        at = story.step_showing(scene, far.id)
        longest = {
            "text": w.claim_label(far).short,
            "step": at if at is not None else len(steps) - 1,
            "id": far.id,
        }
    return {
        "steps": [
            {
                "text": text,
                "show": list(step.show),
                "points": [list(point) for point in step.frame.points],
            }
            for step, text in zip(steps, texts, strict=True)
        ],
        "longest": longest,
    }


def steps_html(scene: ResolvedScene, w: MapWords | None = None) -> str:
    """The steps panel as the page shows it before its script runs: the first step's text,
    a button per step, and the longest range named (a button to the step showing it)."""
    w = w or words_of(scene)
    config = steps_config(scene, w)
    steps = config["steps"]
    count = w.number(len(steps))
    buttons = "".join(
        f'<button type="button" class="rm-step-n" data-step="{i}"'
        f"{' aria-current=step' if i == 0 else ''} "
        f'aria-label="{esc(w("step_of", n=w.number(i + 1), count=count))}">'
        f"{i + 1}</button>"
        for i in range(len(steps))
    )
    nav = ""
    if len(steps) > 1:
        nav = (
            '<div class="rm-step-nav">'
            f'<button type="button" class="rm-step-prev" aria-label="{esc(w("previous"))}" '
            "disabled>&#8249;</button>"
            f"{buttons}"
            f'<button type="button" class="rm-step-next" aria-label="{esc(w("next"))}">'
            "&#8250;</button>"
            "</div>"
        )
    far = ""
    if config["longest"] is not None:
        longest = config["longest"]
        far = (
            f'<button type="button" class="rm-step-far" data-step="{longest["step"]}">'
            f"{esc(w('longest', text=longest['text']))} &#8250;</button>"
        )
    return (
        f'<section class="rm-steps" id="rm-steps" aria-label="{esc(w("steps_label"))}">'
        f'{nav}<p class="rm-step-text" aria-live="polite">{esc(steps[0]["text"])}</p>'
        f"{far}</section>"
    )


STEPS_CSS = """
.rm-steps {
  background: rgba(255, 255, 255, 0.96); border: 1px solid #ccc; border-radius: 4px;
  padding: 4px 8px 6px; font-size: 13px; line-height: 1.35; color: #222;
  box-sizing: border-box;
}
.rm-head .rm-steps { margin-top: 6px; }
.rm-steps-slot .rm-steps {
  max-width: min(460px, calc(100vw - 40px)); font-size: 12px; padding: 3px 6px 4px;
}
.rm-steps-slot .rm-step-far { margin-top: 2px; }
.rm-step-text { margin: 2px 0 0; }
.rm-steps.rm-steps-below {
  grid-column: 1; max-width: none; border: 0; border-top: 1px solid #ddd;
  border-radius: 0; padding: 4px 12px 6px; display: flex; flex-wrap: wrap; gap: 2px 12px;
  align-items: baseline;
}
.rm-steps-below .rm-step-text { flex: 1 1 100%; order: 2; margin: 0; }
.rm-steps-below .rm-step-far { order: 1; margin: 0; }
.rm-step-nav { display: flex; gap: 4px; flex-wrap: wrap; align-items: center; }
.rm-step-nav button, .rm-step-far {
  min-width: 26px; min-height: 26px; border: 1px solid #999; border-radius: 3px;
  background: #fff; color: #222; font: 600 13px/1 system-ui, sans-serif; cursor: pointer;
  padding: 0 6px;
}
.rm-step-nav button[aria-current] { background: #222; color: #fff; border-color: #222; }
.rm-step-nav button:disabled { color: #767676; border-color: #ccc; cursor: default; }
.rm-step-far {
  display: block; margin-top: 4px; border: 0; padding: 2px 0; text-align: left;
  font-weight: 400; color: #0B5394; text-decoration: underline; background: transparent;
}
.rm-steps button:focus-visible { outline: 2px solid #0072B2; outline-offset: 1px; }
"""

#: A function of the map and the page's data (html_map): moves the panel into the map, and
#: goes to a step on a button, an arrow key or a host's message.
STEPS_JS = """
function (map, cfg) {
  var panel = document.getElementById("rm-steps"), container = map.getContainer();
  if (!panel || !cfg.steps.length) { return; }
  // Right under the map, attached to it, so the whole map stays free for the frame; in a
  // frame of fixed height (a host that does not resize it) there is no room below, so it
  // sits at the bottom of the map instead.
  var Steps = L.Control.extend({
    options: {position: "bottomleft"},
    onAdd: function () { return L.DomUtil.create("div", "rm-steps-slot"); }
  });
  var slot = new Steps().addTo(map).getContainer(), inside = null;
  L.DomEvent.disableClickPropagation(slot);
  L.DomEvent.disableScrollPropagation(slot);
  function dock() {
    var fixed = !document.documentElement.classList.contains("rm-flow");
    if (fixed === inside) { return; }
    inside = fixed;
    panel.classList.toggle("rm-steps-below", !inside);
    if (inside) { slot.appendChild(panel); }
    else { container.parentNode.insertBefore(panel, container.nextSibling); }
    slot.style.display = inside ? "" : "none";
  }
  dock();
  var text = panel.querySelector(".rm-step-text"), current = 0, touched = false;
  var numbers = panel.querySelectorAll(".rm-step-n"), far = panel.querySelector(".rm-step-far");
  var prev = panel.querySelector(".rm-step-prev"), next = panel.querySelector(".rm-step-next");

  // Fits points (lat, lon) in any projection: their box in the CRS's pixels at zoom 0, then
  // the zoom whose scale fits it between the controls at the top and the panel below.
  function fit(points, animate) {
    if (!points.length) { return; }
    var crs = map.options.crs, size = map.getSize(), pad = 14;
    // room below the lowest point for a place's name (and for the steps, docked inside);
    // on a phone, whose map is as tall as it is wide, clear of the scale bar and credits too
    var top = pad, bottom = pad + 10 + (inside ? panel.offsetHeight + 8 : 0);
    if (size.x < cfg.narrowPx) {
      container.querySelectorAll(".leaflet-bottom .leaflet-control").forEach(function (el) {
        bottom = Math.max(bottom, el.offsetHeight + 6);
      });
    }
    var box = L.bounds(points.map(function (p) { return map.project(p, 0); }));
    var w = Math.max(box.max.x - box.min.x, 1e-6), h = Math.max(box.max.y - box.min.y, 1e-6);
    var factor = Math.min((size.x - 2 * pad) / w, (size.y - top - bottom) / h);
    var zoom = crs.zoom(crs.scale(0) * factor);
    zoom = Math.floor(zoom * 20 + 1e-6) / 20;
    zoom = Math.max(map.getMinZoom(), Math.min(map.getMaxZoom(), zoom));
    var scale = crs.scale(zoom) / crs.scale(0);
    var centre = box.getCenter().add(L.point(0, (bottom - top) / 2 / scale));
    map.setView(map.unproject(centre, 0), zoom, {animate: !!animate});
  }

  // The legend follows the step: the rows of what it shows first (at most six), the rest
  // under the fold, each list in the legend's own order.
  var first = document.querySelector("#rm-legend > .rm-legend-layers");
  var fold = document.querySelector("#rm-legend .rm-later > .rm-legend-layers");
  var rows = first && fold ? Array.from(first.children).concat(Array.from(fold.children)) : [];
  rows.forEach(function (row, i) { row.rmOrder = i; });
  function arrangeLegend(on) {
    if (!rows.length) { return; }
    var top = [], rest = [];
    rows.slice().sort(function (a, b) { return a.rmOrder - b.rmOrder; }).forEach(function (row) {
      var ids = [];
      row.querySelectorAll("input[data-layer]").forEach(function (box) {
        ids = ids.concat(box.getAttribute("data-layer").split(" "));
      });
      var shown = ids.some(function (id) { return on[id]; });
      (shown && top.length < 6 ? top : rest).push(row);
    });
    top.forEach(function (row) { first.appendChild(row); });
    rest.forEach(function (row) { fold.appendChild(row); });
  }

  function go(index, animate) {
    index = Math.max(0, Math.min(cfg.steps.length - 1, Math.floor(index) || 0));
    current = index;
    var step = cfg.steps[index], on = {};
    step.show.forEach(function (id) { on[id] = true; });
    Object.keys(cfg.groups).forEach(function (id) {
      var group = cfg.groups[id];
      if (on[id] && !map.hasLayer(group)) { map.addLayer(group); }
      if (!on[id] && map.hasLayer(group)) { map.removeLayer(group); }
    });
    text.textContent = step.text;
    arrangeLegend(on);
    // the longest range is mentioned until a step shows it
    if (far && cfg.longest) { far.hidden = !!on[cfg.longest.id]; }
    numbers.forEach(function (b, i) {
      if (i === index) { b.setAttribute("aria-current", "step"); }
      else { b.removeAttribute("aria-current"); }
    });
    if (prev) { prev.disabled = index === 0; }
    if (next) { next.disabled = index === cfg.steps.length - 1; }
    touched = false;
    fit(step.points, animate);
    if (window.parent !== window) {
      window.parent.postMessage({"rangemap": "step", "step": index,
                                 "steps": cfg.steps.length}, "*");
    }
  }
  map.rangemapStep = go;  // for scripts in the page itself

  panel.querySelectorAll("[data-step]").forEach(function (b) {
    b.addEventListener("click", function () { go(+b.getAttribute("data-step"), true); });
  });
  if (prev) { prev.addEventListener("click", function () { go(current - 1, true); }); }
  if (next) { next.addEventListener("click", function () { go(current + 1, true); }); }
  panel.addEventListener("keydown", function (e) {
    var to = {"ArrowLeft": current - 1, "ArrowRight": current + 1, "Home": 0,
              "End": cfg.steps.length - 1}[e.key];
    if (to === undefined) { return; }
    e.preventDefault();
    go(to, true);
    var b = numbers[current]; if (b) { b.focus(); }
  });
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source === window.parent && data && data.rangemap === "step" &&
        typeof data.step === "number") {
      go(data.step, true);
    }
  });
  // Until the reader moves the map, it keeps framing the step as the page settles (the
  // host resizes the frame, panels fold or unfold).
  L.DomEvent.on(container, "mousedown touchstart keydown", function () { touched = true; });
  map.on("resize", function () {
    dock();
    if (!touched) { fit(cfg.steps[current].points, false); }
  });
  go(0, false);
}
"""
