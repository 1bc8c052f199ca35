/* anxuan: the 大字 switch and warning banners that retire themselves on time.
   Without JavaScript the page is complete; this only adds to it. */
(function () {
  var root = document.documentElement;
  var key = "anxuan-big-text";
  var button = document.getElementById("big-text-toggle");
  function apply(on) {
    if (on) { root.classList.add("big-text"); } else { root.classList.remove("big-text"); }
    if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); }
  }
  var saved = false;
  try { saved = window.localStorage.getItem(key) === "1"; } catch (e) {}
  apply(saved);
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var on = !root.classList.contains("big-text");
      apply(on);
      try { window.localStorage.setItem(key, on ? "1" : "0"); } catch (e) {}
    });
  }
  // A banner whose warning has expired hides itself even if the site was not rebuilt.
  function retire() {
    var now = Date.now();
    var banners = document.querySelectorAll("[data-expires]");
    for (var i = 0; i < banners.length; i++) {
      var t = Date.parse(banners[i].getAttribute("data-expires"));
      if (!isNaN(t) && t <= now) { banners[i].hidden = true; banners[i].style.display = "none"; }
    }
  }
  retire();
  setInterval(retire, 60000);
})();
