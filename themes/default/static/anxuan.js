/* anxuan: the 大字 switch, and warning banners that retire themselves on time.
   Without JavaScript every page is complete; this only adds to it. ES5 on purpose. */
(function () {
  var root = document.documentElement;
  var key = "anxuan-big-text";
  var button = document.getElementById("big-text-toggle");

  function isBig() { return (" " + root.className + " ").indexOf(" big-text ") >= 0; }
  function apply(on) {
    var rest = (" " + root.className + " ").replace(/ big-text /g, " ").replace(/^\s+|\s+$/g, "");
    root.className = on ? (rest ? rest + " big-text" : "big-text") : rest;
    if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); }
  }
  var saved = false;
  try { saved = window.localStorage.getItem(key) === "1"; } catch (e) {}
  apply(saved || isBig());
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var on = !isBig();
      apply(on);
      try { window.localStorage.setItem(key, on ? "1" : "0"); } catch (e) {}
    });
  }

  function past(el, attr) {
    var t = Date.parse(el.getAttribute(attr));
    return !isNaN(t) && t <= Date.now();
  }
  // A warning whose time has passed retires itself, even if the site was not rebuilt:
  // its banners hide, and "生效中" next to it becomes "已过期".
  function retire() {
    var i, el, els = document.querySelectorAll("[data-expires]");
    for (i = 0; i < els.length; i++) {
      if (past(els[i], "data-expires")) { els[i].hidden = true; els[i].style.display = "none"; }
    }
    els = document.querySelectorAll("[data-status-expires]");
    for (i = 0; i < els.length; i++) {
      el = els[i];
      if (!past(el, "data-status-expires")) { continue; }
      el.removeAttribute("data-status-expires");
      el.textContent = "已过期";
      el.className = el.className.replace("status-active", "status-expired");
      var level = el.previousElementSibling;
      if (level && /(^| )level( |$)/.test(level.className)) { level.className += " level-past"; }
      for (; el && el.className !== undefined; el = el.parentNode) {
        if (/(^| )wcard( |$)/.test(el.className)) { el.className = el.className.replace("wstate-active", "wstate-expired"); break; }
      }
    }
  }
  retire();
  setInterval(retire, 60000);
})();
