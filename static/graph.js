// The link graph on a canvas: thousands of nodes stay smooth where SVG would not.
// <canvas data-graph> draws everything; <canvas data-graph data-slug="x"> draws x's neighbourhood.
(function () {
  "use strict";
  var PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                 "#17becf", "#bcbd22", "#7f7f7f", "#3b5bdb", "#c2255c", "#0ca678", "#f08c00", "#6741d9"];

  function layout(nodes, links, width, height) {
    var n = nodes.length, ideal = Math.min(70, Math.max(18, Math.sqrt(width * height / Math.max(n, 1)) * 0.6));
    var cats = {};
    nodes.forEach(function (node) { if (!(node.category in cats)) cats[node.category] = Object.keys(cats).length; });
    var ncat = Math.max(1, Object.keys(cats).length);
    nodes.forEach(function (node, i) {
      // Start each category in its own sector so clusters settle quickly and stay apart.
      var a = 2 * Math.PI * (cats[node.category] + Math.random() * 0.8) / ncat;
      var r = Math.min(width, height) * (0.15 + 0.3 * Math.random());
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

  function draw(canvas, data, focus) {
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
    nodes.forEach(function (node) {
      if (!(node.category in colours)) colours[node.category] = PALETTE[Object.keys(colours).length % PALETTE.length];
    });
    layout(nodes, links, width, height);
    var view = fit(nodes, width, height), hover = null;
    // Label only the best-connected nodes until the reader zooms in: names must stay legible.
    var ranked = nodes.map(function (n) { return degree[n.slug] || 0; }).sort(function (a, b) { return b - a; });
    var labelDegree = ranked[Math.min(ranked.length - 1, 24)] + 1;
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
        ctx.beginPath(); ctx.fillStyle = colours[node.category];
        ctx.arc(node.x, node.y, radius(node), 0, 2 * Math.PI); ctx.fill();
      });
      ctx.fillStyle = fg; ctx.font = (12 / view.k) + "px system-ui, sans-serif";
      ctx.lineWidth = 1;
      nodes.forEach(function (node) {
        if (focus || nodes.length < 60 || node === hover || view.k > 2.2 || (degree[node.slug] || 0) >= labelDegree) {
          ctx.fillText(node.title, node.x + radius(node) + 2, node.y + 4 / view.k);
        }
      });
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
    canvas.addEventListener("wheel", function (e) {
      e.preventDefault();
      var box = canvas.getBoundingClientRect(), mx = e.clientX - box.left, my = e.clientY - box.top;
      var k = Math.max(0.3, Math.min(8, view.k * (e.deltaY < 0 ? 1.15 : 1 / 1.15)));
      view.x = mx - (mx - view.x) * k / view.k; view.y = my - (my - view.y) * k / view.k; view.k = k;
      render();
    }, { passive: false });
    document.addEventListener("glossa:theme", function () { styles = getComputedStyle(document.documentElement); render(); });
    render();
    canvas.dataset.ready = "true";
    canvas.glossaNodes = nodes;
    canvas.glossaView = view;
    var legend = document.querySelector("[data-graph-legend]");
    if (legend) {
      Object.keys(colours).forEach(function (cat) {
        var item = document.createElement("li");
        var swatch = document.createElement("span");
        swatch.className = "swatch"; swatch.style.background = colours[cat];
        item.appendChild(swatch); item.appendChild(document.createTextNode(" " + cat));
        legend.appendChild(item);
      });
    }
  }

  document.querySelectorAll("canvas[data-graph]").forEach(function (canvas) {
    var slug = canvas.getAttribute("data-slug");
    fetch("/api/graph" + (slug ? "?slug=" + encodeURIComponent(slug) : ""), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.nodes.length) return;
        draw(canvas, data, slug);
      });
  });
})();
