// The link graph on a canvas: thousands of nodes stay smooth where SVG would not.
// <canvas data-graph> draws everything; <canvas data-graph data-slug="x"> draws x's neighbourhood.
(function () {
  "use strict";
  // A learner's standing on each entry, when the graph is coloured by it: theme variables, read at
  // each drawing so that a theme switch recolours the nodes.
  var MASTERY = { new: "--muted", learning: "--warning", review: "--accent", known: "--tip" };
  // One colour per category in A–Z order of all categories, so a category has the same colour on
  // every page. Picked farthest-first (each as far as can be from those before it, in CIEDE2000)
  // among colours with 3:1 contrast on both themes' backgrounds: no two pairs are near alike
  // (the least distance is 18) and every dot stands out in light and dark.
  var PALETTE = ["#0f96e1", "#969600", "#ff0087", "#f0690f", "#007869", "#693cff", "#a587c3", "#c32d2d",
                 "#0fa54b", "#87693c", "#964b87", "#f00fff", "#c37878", "#4b7800", "#3c69a5"];

  // The same layout on every visit: positions start from a hash of the slug, not Math.random.
  function seeded(text) {
    var h = 2166136261;
    for (var i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 16777619); }
    return function () {
      h = Math.imul(h ^ (h >>> 15), 2246822507); h = Math.imul(h ^ (h >>> 13), 3266489909); h ^= h >>> 16;
      return (h >>> 0) / 4294967296;
    };
  }

  function layout(nodes, links, width, height) {
    var n = nodes.length, ideal = Math.min(70, Math.max(18, Math.sqrt(width * height / Math.max(n, 1)) * 0.6));
    var cats = {};
    nodes.slice().sort(function (a, b) { return a.category < b.category ? -1 : a.category > b.category ? 1 : 0; })
      .forEach(function (node) { if (!(node.category in cats)) cats[node.category] = Object.keys(cats).length; });
    var ncat = Math.max(1, Object.keys(cats).length);
    nodes.forEach(function (node, i) {
      // Start each category in its own sector so clusters settle quickly and stay apart.
      var random = seeded(node.slug);
      var a = 2 * Math.PI * (cats[node.category] + random() * 0.8) / ncat;
      var r = Math.min(width, height) * (0.15 + 0.3 * random());
      node.x = width / 2 + r * Math.cos(a); node.y = height / 2 + r * Math.sin(a);
      node.vx = 0; node.vy = 0; node.i = i;
    });
    var ticks = n > 2000 ? 120 : 260;
    for (var t = 0; t < ticks; t++) {
      var cool = 1 - t / ticks, cell = ideal * 2, grid = {};
      nodes.forEach(function (node) {
        var key = Math.floor(node.x / cell) + "," + Math.floor(node.y / cell);
        (grid[key] = grid[key] || []).push(node);
      });
      // Repulsion from nodes in the same and neighbouring cells only: O(n) per tick.
      nodes.forEach(function (a) {
        var gx = Math.floor(a.x / cell), gy = Math.floor(a.y / cell);
        for (var dx = -1; dx <= 1; dx++) for (var dy = -1; dy <= 1; dy++) {
          var bucket = grid[(gx + dx) + "," + (gy + dy)];
          if (!bucket) continue;
          for (var k = 0; k < bucket.length; k++) {
            var b = bucket[k];
            if (b === a) continue;
            var ddx = a.x - b.x, ddy = a.y - b.y, d2 = ddx * ddx + ddy * ddy + 0.01;
            if (d2 > cell * cell) continue;
            var f = ideal * ideal / d2;
            a.vx += ddx * f * 0.05; a.vy += ddy * f * 0.05;
          }
        }
      });
      links.forEach(function (l) {
        var a = l.s, b = l.t, ddx = b.x - a.x, ddy = b.y - a.y;
        var d = Math.sqrt(ddx * ddx + ddy * ddy) + 0.01, f = (d - ideal) / d * 0.04;
        a.vx += ddx * f; a.vy += ddy * f; b.vx -= ddx * f; b.vy -= ddy * f;
      });
      nodes.forEach(function (node) {
        node.vx += (width / 2 - node.x) * 0.002; node.vy += (height / 2 - node.y) * 0.002;
        var speed = Math.sqrt(node.vx * node.vx + node.vy * node.vy), max = 10 * cool + 0.5;
        if (speed > max) { node.vx *= max / speed; node.vy *= max / speed; }
        node.x += node.vx; node.y += node.vy; node.vx *= 0.5; node.vy *= 0.5;
      });
    }
  }

  // Scale and centre the laid-out graph so all of it shows, labels included.
  function fit(nodes, width, height) {
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    nodes.forEach(function (n) {
      minX = Math.min(minX, n.x); maxX = Math.max(maxX, n.x);
      minY = Math.min(minY, n.y); maxY = Math.max(maxY, n.y);
    });
    var pad = 30, labelRoom = nodes.length < 60 ? 120 : 0;
    var k = Math.min((width - 2 * pad - labelRoom) / Math.max(maxX - minX, 1), (height - 2 * pad) / Math.max(maxY - minY, 1), 2.5);
    k = Math.max(k, 0.2);
    return { k: k, x: pad - minX * k + (width - 2 * pad - labelRoom - (maxX - minX) * k) / 2,
             y: pad - minY * k + (height - 2 * pad - (maxY - minY) * k) / 2 };
  }

  function draw(canvas, data, focus, categories) {
    var ctx = canvas.getContext("2d");
    var dpr = window.devicePixelRatio || 1;
    var width = canvas.clientWidth, height = canvas.clientHeight;
    canvas.width = width * dpr; canvas.height = height * dpr;
    var nodes = data.nodes, bySlug = {};
    nodes.forEach(function (node) { bySlug[node.slug] = node; });
    var links = data.links.filter(function (l) { return bySlug[l.source] && bySlug[l.target]; })
      .map(function (l) { return { s: bySlug[l.source], t: bySlug[l.target] }; });
    var degree = {};
    links.forEach(function (l) { degree[l.s.slug] = (degree[l.s.slug] || 0) + 1; degree[l.t.slug] = (degree[l.t.slug] || 0) + 1; });
    var colours = {};
    categories.forEach(function (name, i) { colours[name] = PALETTE[i % PALETTE.length]; });
    nodes.forEach(function (node) {  // a category the list did not know (a build in between)
      if (!(node.category in colours)) colours[node.category] = PALETTE[Object.keys(colours).length % PALETTE.length];
    });
    var shownCategories = {};
    nodes.forEach(function (node) { shownCategories[node.category] = true; });
    var found = [];  // nodes matching the search box on /graph
    layout(nodes, links, width, height);
    var view = fit(nodes, width, height), hover = null, mastery = null;
    // Label only the best-connected nodes until the reader zooms in: names must stay legible.
    // The 25 best connected (ties by slug), not those above a degree: where every node has as
    // many links as the others, a threshold would label none.
    var labelled = {};
    nodes.slice().sort(function (a, b) {
      return (degree[b.slug] || 0) - (degree[a.slug] || 0) || (a.slug < b.slug ? -1 : 1);
    }).slice(0, 25).forEach(function (n) { labelled[n.slug] = true; });
    var styles = getComputedStyle(document.documentElement);

    function radius(node) { return node.slug === focus ? 8 : 3 + Math.min(5, Math.sqrt(degree[node.slug] || 0)); }
    function render() {
      var fg = styles.getPropertyValue("--fg").trim() || "#222", border = styles.getPropertyValue("--border").trim() || "#ccc";
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, width, height);
      ctx.translate(view.x, view.y); ctx.scale(view.k, view.k);
      ctx.strokeStyle = border; ctx.lineWidth = 1 / view.k;
      ctx.beginPath();
      links.forEach(function (l) { ctx.moveTo(l.s.x, l.s.y); ctx.lineTo(l.t.x, l.t.y); });
      ctx.stroke();
      nodes.forEach(function (node) {
        ctx.beginPath(); ctx.fillStyle = mastery ? masteryColour(node) : colours[node.category];
        ctx.arc(node.x, node.y, radius(node), 0, 2 * Math.PI); ctx.fill();
      });
      found.forEach(function (node) {
        ctx.beginPath(); ctx.strokeStyle = fg; ctx.lineWidth = 3 / view.k;
        ctx.arc(node.x, node.y, radius(node) + 4 / view.k, 0, 2 * Math.PI); ctx.stroke();
      });
      ctx.fillStyle = fg; ctx.font = (12 / view.k) + "px system-ui, sans-serif";
      ctx.lineWidth = 1;
      // A label's box is what its glyphs cover, descenders included, with a pixel to spare.
      var metrics = ctx.measureText("Hgjpqy"), gap = 1 / view.k;
      var ascent = metrics.actualBoundingBoxAscent + gap, descent = metrics.actualBoundingBoxDescent + gap;
      // Labels that would overlap one already drawn are left out (they show on hover), the most
      // important first: the hovered and found nodes, the focus, then by links.
      var placed = [], drawn = [], order = nodes.filter(function (node) {
        return focus || nodes.length < 60 || node === hover || found.indexOf(node) >= 0 || view.k > 2.2 ||
          labelled[node.slug];
      }).sort(function (a, b) { return priority(b) - priority(a); });
      order.forEach(function (node) {
        var x = node.x + radius(node) + 2, y = node.y + 4 / view.k;
        var box = { x: x - gap, y: y - ascent, w: ctx.measureText(node.title).width + 2 * gap, h: ascent + descent };
        var clash = placed.some(function (o) {
          return box.x < o.x + o.w && o.x < box.x + box.w && box.y < o.y + o.h && o.y < box.y + box.h;
        });
        if (clash && node !== hover && found.indexOf(node) < 0) return;
        placed.push(box);
        drawn.push({ slug: node.slug, title: node.title, x: x, y: y, size: 12 / view.k });
        ctx.fillText(node.title, x, y);
      });
      canvas.glossaLabels = drawn;  // what was written where, in the graph's units
    }
    function priority(node) {
      return (node === hover ? 1e6 : 0) + (found.indexOf(node) >= 0 ? 1e5 : 0) +
        (node.slug === focus ? 1e4 : 0) + (degree[node.slug] || 0);
    }
    function masteryColour(node) {
      var name = MASTERY[mastery[node.slug]] || "--border";  // an entry without cards
      return styles.getPropertyValue(name).trim() || "#888";
    }
    function at(event) {
      var box = canvas.getBoundingClientRect();
      var x = (event.clientX - box.left - view.x) / view.k, y = (event.clientY - box.top - view.y) / view.k;
      var best = null, bestD = 12 / view.k;
      nodes.forEach(function (node) {
        var d = Math.hypot(node.x - x, node.y - y) - radius(node);
        if (d < bestD) { best = node; bestD = d; }
      });
      return best;
    }
    var drag = null;
    canvas.addEventListener("mousedown", function (e) { drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false }; });
    window.addEventListener("mouseup", function () { setTimeout(function () { drag = null; }, 0); });
    canvas.addEventListener("mousemove", function (e) {
      if (drag && e.buttons) {
        view.x = drag.vx + e.clientX - drag.x; view.y = drag.vy + e.clientY - drag.y;
        drag.moved = drag.moved || Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 3;
        render(); return;
      }
      var node = at(e);
      if (node !== hover) { hover = node; canvas.style.cursor = node ? "pointer" : "grab"; canvas.title = node ? node.title : ""; render(); }
    });
    canvas.addEventListener("click", function (e) {
      if (drag && drag.moved) return;
      var node = at(e);
      if (node) window.location.href = "/entries/" + node.slug;
    });
    function zoom(mx, my, factor) {
      var k = Math.max(0.3, Math.min(8, view.k * factor));
      view.x = mx - (mx - view.x) * k / view.k; view.y = my - (my - view.y) * k / view.k; view.k = k;
      render();
    }
    // Scrolling the page over the graph scrolls the page: the wheel zooms only once the graph has
    // been clicked or focused (until the pointer leaves it), or with Ctrl or ⌘ held.
    var active = false;
    function activate(on) { active = on; if (on) canvas.dataset.active = "true"; else delete canvas.dataset.active; }
    canvas.addEventListener("mousedown", function () { activate(true); });
    canvas.addEventListener("focus", function () { activate(true); });
    canvas.addEventListener("mouseleave", function () { activate(false); });
    canvas.addEventListener("blur", function () { activate(false); });
    canvas.addEventListener("wheel", function (e) {
      if (!active && !e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      var box = canvas.getBoundingClientRect();
      zoom(e.clientX - box.left, e.clientY - box.top, e.deltaY < 0 ? 1.15 : 1 / 1.15);
    }, { passive: false });
    canvas.addEventListener("keydown", function (e) {
      if (e.key === "+" || e.key === "=") { zoom(width / 2, height / 2, 1.25); e.preventDefault(); }
      else if (e.key === "-") { zoom(width / 2, height / 2, 1 / 1.25); e.preventDefault(); }
    });
    // Touch: one finger drags the graph sideways (the page still scrolls up and down), two pinch.
    var touches = {}, pinch = null;
    canvas.addEventListener("pointerdown", function (e) {
      if (e.pointerType === "touch") touches[e.pointerId] = { x: e.clientX, y: e.clientY };
    });
    canvas.addEventListener("pointermove", function (e) {
      if (e.pointerType !== "touch" || !touches[e.pointerId]) return;
      var last = touches[e.pointerId];
      touches[e.pointerId] = { x: e.clientX, y: e.clientY };
      var ids = Object.keys(touches);
      if (ids.length === 2) {
        var a = touches[ids[0]], b = touches[ids[1]], d = Math.hypot(a.x - b.x, a.y - b.y);
        var box = canvas.getBoundingClientRect();
        if (pinch) zoom((a.x + b.x) / 2 - box.left, (a.y + b.y) / 2 - box.top, d / pinch);
        pinch = d;
      } else if (ids.length === 1) {
        view.x += e.clientX - last.x; view.y += e.clientY - last.y; render();
      }
    });
    ["pointerup", "pointercancel"].forEach(function (type) {
      canvas.addEventListener(type, function (e) { delete touches[e.pointerId]; pinch = null; });
    });
    // Find an entry by name (the box on /graph): ring every match, centre the first.
    var finder = focus ? null : document.getElementById("graph-find");
    if (finder) {
      finder.addEventListener("input", function () {
        var q = finder.value.trim().toLowerCase();
        found = q ? nodes.filter(function (n) { return n.title.toLowerCase().indexOf(q) >= 0; }).slice(0, 20) : [];
        if (found.length) { view.x = width / 2 - found[0].x * view.k; view.y = height / 2 - found[0].y * view.k; }
        canvas.dataset.found = found.map(function (n) { return n.slug; }).join(" ");
        var status = document.getElementById("graph-find-status");
        if (status) status.textContent = q ? found.length + (found.length === 1 ? " entry" : " entries") + " found" : "";
        render();
      });
      finder.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && found.length) { e.preventDefault(); window.location.href = "/entries/" + found[0].slug; }
      });
    }
    document.addEventListener("glossa:theme", function () { styles = getComputedStyle(document.documentElement); render(); });
    render();
    canvas.dataset.ready = "true";
    canvas.glossaNodes = nodes;
    canvas.glossaView = view;
    canvas.glossaColours = colours;
    var toggle = focus ? null : document.getElementById("mastery-toggle");
    if (toggle) {
      var box = toggle.closest("[hidden]");
      if (box) box.hidden = false;  // shown once there is a graph to colour
      canvas.dataset.colouring = "category";
      toggle.addEventListener("change", function () {
        var on = toggle.checked;
        var shown = on ? fetch("/api/study/mastery", { headers: { Accept: "application/json" } })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); }) : Promise.resolve(null);
        shown.then(function (map) {
          mastery = map;
          canvas.dataset.colouring = map ? "mastery" : "category";
          document.querySelectorAll("[data-graph-legend]").forEach(function (l) { l.hidden = !!map; });
          document.querySelectorAll("[data-mastery-legend]").forEach(function (l) { l.hidden = !map; });
          render();
        }).catch(function () { toggle.checked = false; });
      });
    }
    var legend = canvas.parentNode.querySelector("ul[data-graph-legend]");
    if (legend) {
      Object.keys(colours).filter(function (cat) { return shownCategories[cat]; }).forEach(function (cat) {
        var item = document.createElement("li");
        var swatch = document.createElement("span");
        swatch.className = "swatch"; swatch.style.background = colours[cat];
        item.appendChild(swatch); item.appendChild(document.createTextNode(" " + cat));
        legend.appendChild(item);
      });
    }
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); });
  }
  document.querySelectorAll("canvas[data-graph]").forEach(function (canvas) {
    var slug = canvas.getAttribute("data-slug");
    var graph = getJSON("/api/graph" + (slug ? "?slug=" + encodeURIComponent(slug) : ""));
    Promise.all([graph, getJSON("/api/categories")]).then(function (both) {
      var data = both[0], names = both[1].map(function (c) { return c.name; }).sort();
      if (data.nodes.length) draw(canvas, data, slug, names);
    });
  });
})();
