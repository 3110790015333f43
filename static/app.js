// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  var cache = {};
  function getJSON(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      });
      cache[url].catch(function () { delete cache[url]; });
    }
    return cache[url];
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  // -- keyboard: "/" or Ctrl-K focuses the search box ---------------------------------------
  document.addEventListener("keydown", function (event) {
    var t = event.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable);
    if ((event.key === "/" && !typing) || (event.key === "k" && (event.ctrlKey || event.metaKey))) {
      var box = document.getElementById("site-search");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
  });

  // -- search-as-you-type suggestions (ARIA combobox) ---------------------------------------
  function setupSuggest(input, index) {
    var list = el("ul", { id: "suggest-" + index, role: "listbox", class: "suggest-list", hidden: "" });
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.parentNode.appendChild(list);
    var items = [], active = -1, timer = null, seq = 0;

    function close() {
      list.hidden = true; list.textContent = ""; items = []; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(i) {
      items.forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0) input.setAttribute("aria-activedescendant", items[i].id);
      else input.removeAttribute("aria-activedescendant");
    }
    function show(results) {
      list.textContent = ""; items = []; active = -1;
      if (!results.length) { close(); return; }
      // Names that begin with the words typed, or (for a question) the entries that answer it.
      var answers = results[0].kind === "answer";
      list.setAttribute("aria-label", answers ? "Entries that answer this" : "Matching entries");
      // Answers are not names that begin with the words typed: say so above them (style.css).
      list.classList.toggle("answers", answers);
      results.forEach(function (r, i) {
        var li = el("li", { id: list.id + "-" + i, role: "option", "aria-selected": "false", "data-url": r.url });
        // An alias matched, not the title: say which ("WCSS — alias of Inertia").
        var title = el("span", { class: "suggest-title" }, r.matched || r.title);
        if (r.matched) title.appendChild(el("span", { class: "suggest-alias muted" }, " — alias of " + r.title));
        li.appendChild(title);
        li.appendChild(el("span", { class: "suggest-category" }, r.category));
        li.addEventListener("mousedown", function (e) { e.preventDefault(); window.location.href = r.url; });
        list.appendChild(li); items.push(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { close(); return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        getJSON("/api/suggest?limit=8&q=" + encodeURIComponent(q)).then(function (res) {
          if (mine === seq && document.activeElement === input) show(res);
        }).catch(close);
      }, 60);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && items.length) { e.preventDefault(); highlight((active + 1) % items.length); }
      else if (e.key === "ArrowUp" && items.length) { e.preventDefault(); highlight(active <= 0 ? items.length - 1 : active - 1); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); window.location.href = items[active].getAttribute("data-url"); }
      // A search box clears itself on Escape; here Escape only closes the suggestions.
      else if (e.key === "Escape") { e.preventDefault(); close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }
  document.querySelectorAll("input[data-suggest]").forEach(setupSuggest);

  // -- the phone menu ------------------------------------------------------------------------
  var menu = document.getElementById("menu-toggle");
  if (menu) {
    menu.addEventListener("click", function () {
      var open = menu.closest(".site-header").classList.toggle("menu-open");
      menu.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // -- theme toggle, remembered -------------------------------------------------------------
  var toggle = document.getElementById("theme-toggle");
  if (toggle) {
    var current = function () {
      var set = document.documentElement.dataset.theme;
      if (set) return set;
      return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
    };
    var label = function () {
      var dark = current() === "dark";
      // One name, one state: a toggle button that renamed itself would announce the opposite.
      toggle.setAttribute("aria-pressed", dark ? "true" : "false");
    };
    toggle.hidden = false;
    label();
    toggle.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      document.documentElement.dataset.theme = next;
      try { localStorage.setItem("glossa-theme", next); } catch (e) { /* not remembered */ }
      label();
      document.dispatchEvent(new CustomEvent("glossa:theme"));
    });
  }

  // -- hover and focus previews of internal links --------------------------------------------
  var canHover = window.matchMedia && window.matchMedia("(hover: hover)").matches;
  if (canHover) {
    var card = el("div", { class: "preview-card", role: "tooltip", id: "preview-card", hidden: "" });
    document.body.appendChild(card);
    var pending = null, owner = null;
    var hide = function () {
      clearTimeout(pending); card.hidden = true;
      if (owner) owner.removeAttribute("aria-describedby");
      owner = null;
    };
    var showFor = function (link) {
      var m = /^\/entries\/([^/#?]+)/.exec(link.getAttribute("href") || "");
      if (!m) return;
      clearTimeout(pending);
      pending = setTimeout(function () {
        getJSON("/api/entries/" + m[1] + "?fields=title,category,summary").then(function (entry) {
          card.textContent = "";
          card.appendChild(el("strong", {}, entry.title));
          card.appendChild(el("span", { class: "preview-category" }, entry.category));
          card.appendChild(el("p", {}, entry.summary));
          var box = link.getBoundingClientRect();
          card.style.left = Math.max(8, Math.min(window.scrollX + box.left, window.scrollX + window.innerWidth - 340)) + "px";
          card.style.top = (window.scrollY + box.bottom + 6) + "px";
          card.hidden = false;
          // Near the bottom of the window, above the link rather than off-screen.
          var height = card.getBoundingClientRect().height;
          if (box.bottom + 6 + height > window.innerHeight && box.top - 6 - height >= 0) {
            card.style.top = (window.scrollY + box.top - 6 - height) + "px";
          }
          owner = link;
          link.setAttribute("aria-describedby", card.id);
        }).catch(hide);
      }, 250);
    };
    document.querySelectorAll("main a[href^='/entries/']").forEach(function (link) {
      link.addEventListener("mouseenter", function () { showFor(link); });
      link.addEventListener("focus", function () { showFor(link); });
      link.addEventListener("mouseleave", hide);
      link.addEventListener("blur", hide);
    });
    document.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
  }

  // -- table of contents: folded on narrow screens, open beside the article on wide ones -----
  var tocBox = document.querySelector(".toc details");
  if (tocBox && window.matchMedia && !window.matchMedia("(min-width: 1100px)").matches) tocBox.open = false;

  // -- table of contents follows the reader --------------------------------------------------
  var tocLinks = document.querySelectorAll(".toc a");
  if (tocLinks.length && "IntersectionObserver" in window) {
    var byId = {};
    tocLinks.forEach(function (a) { byId[a.getAttribute("href").slice(1)] = a; });
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        tocLinks.forEach(function (a) { a.removeAttribute("aria-current"); });
        var link = byId[entry.target.id];
        if (link) link.setAttribute("aria-current", "location");
      });
    }, { rootMargin: "0px 0px -70% 0px" });
    Object.keys(byId).forEach(function (id) {
      var heading = document.getElementById(id);
      if (heading) observer.observe(heading);
    });
  }

  // -- display math wider than the screen scrolls, and a keyboard can reach it to scroll ----
  // Checked again whenever a formula's box changes size (a resize, a phone turned, fonts loaded):
  // a tab stop only while there is something to scroll.
  function scrollable(box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", "Formula (scrolls sideways)");
    } else if (box.getAttribute("tabindex") === "0" && document.activeElement !== box) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
  var formulas = document.querySelectorAll(".math.block");
  formulas.forEach(scrollable);
  if (formulas.length && "ResizeObserver" in window) {
    var resized = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) { scrollable(entry.target.closest(".math.block")); });
    });
    formulas.forEach(function (box) {  // the box (the window changed) and what it holds (fonts)
      resized.observe(box);
      if (box.firstElementChild) resized.observe(box.firstElementChild);
    });
  } else if (formulas.length) {
    window.addEventListener("resize", function () { formulas.forEach(scrollable); });
  }

  // -- copy buttons on code blocks -----------------------------------------------------------
  if (navigator.clipboard) {
    document.querySelectorAll(".body pre").forEach(function (pre) {
      var button = el("button", { type: "button", class: "copy-button" }, "Copy");
      button.addEventListener("click", function () {
        var code = pre.querySelector("code") || pre;
        navigator.clipboard.writeText(code.textContent).then(function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy"; }, 1500);
        });
      });
      pre.appendChild(button);
    });
  }
})();
