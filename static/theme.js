// Loaded before the page paints so a remembered theme never flashes the other one.
(function () {
  document.documentElement.classList.add("js"); // the phone menu collapses only where it can open again
  try {
    var theme = localStorage.getItem("glossa-theme");
    if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  } catch (e) { /* storage may be blocked: follow the system setting */ }
})();
