// Slide deck navigation, inlined in every deck (works from file://, no network).
// Keys: →, ↓, space, PageDown, n: next · ←, ↑, PageUp, p: previous · Home, End · s: presenter view ·
// o: overview · Escape: back to the slide. The slide number is the URL fragment (#7).
(function () {
  "use strict";
  var deck = document.getElementById("deck");
  var slides = Array.prototype.slice.call(deck.querySelectorAll("section.slide"));
  var current = 0;
  var started = Date.now();
  var body = document.body;

  var panel = document.createElement("div");
  panel.className = "presenter-panel";
  panel.innerHTML = '<div class="clock"></div><div class="next"></div><div class="speaker-notes"></div>';
  body.appendChild(panel);
  var grid = document.createElement("div");
  grid.className = "overview-grid";
  body.appendChild(grid);

  function fromHash() {
    var n = parseInt(location.hash.slice(1), 10);
    return isNaN(n) ? 0 : Math.min(Math.max(n, 1), slides.length) - 1;
  }

  // A box whose content is cut: taller or wider than the box (boxes hide their overflow).
  function cut(box) {
    return box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
  }
  // A figure squeezed by the text around it to less than a readable height.
  function squeezed(slide) {
    var images = slide.querySelectorAll("figure img");
    for (var i = 0; i < images.length; i++) {
      if (images[i].offsetHeight < 160) return true;
    }
    return false;
  }
  // Whether anything on the slide is cut or squeezed: the slide's 1280×720 box, a text box, a figure.
  function overflows(slide) {
    if (cut(slide) || squeezed(slide)) return true;
    var boxes = slide.querySelectorAll(".fit, .body, .numbers, .rule");
    for (var i = 0; i < boxes.length; i++) {
      if (cut(boxes[i])) return true;
    }
    return false;
  }
  // Text marked .fit shrinks (to 12px at least) while it is cut itself, or while the slide as a whole
  // is cut or its figure squeezed; a block that fits is left alone when another box overflows.
  function fit(slide) {
    var shown = slide.classList.contains("current");
    slide.classList.add("current");
    var blocks = slide.querySelectorAll(".fit");
    for (var i = 0; i < blocks.length; i++) {
      var size = parseFloat(getComputedStyle(blocks[i]).fontSize);
      while ((cut(blocks[i]) || cut(slide) || squeezed(slide)) && size > 12) {
        size -= 1;
        blocks[i].style.fontSize = size + "px";
      }
    }
    if (!shown) slide.classList.remove("current");
  }

  // Every slide that still overflows, as numbers from 1; written to <body data-overflow> for checks.
  function overflowing() {
    var found = [];
    slides.forEach(function (slide, i) {
      var shown = slide.classList.contains("current");
      slide.classList.add("current");
      if (overflows(slide)) found.push(i + 1);
      if (!shown) slide.classList.remove("current");
    });
    return found;
  }

  function layout() {
    var presenter = body.classList.contains("presenter");
    var width = presenter ? window.innerWidth * 0.62 : window.innerWidth;
    var scale = Math.min(width / 1280, window.innerHeight / 720);
    deck.style.left = presenter ? width / 2 + "px" : "50%";
    deck.style.transform = "translate(-50%, -50%) scale(" + scale + ")";
  }

  function copyOf(slide, width) {
    var copy = slide.cloneNode(true);
    copy.removeAttribute("id");
    copy.classList.add("current");
    copy.removeAttribute("aria-label");
    copy.setAttribute("aria-hidden", "true");
    copy.style.transform = "scale(" + width / 1280 + ")";
    return copy;
  }

  function updatePresenter() {
    if (!body.classList.contains("presenter")) return;
    var next = panel.querySelector(".next");
    var notes = panel.querySelector(".speaker-notes");
    var width = next.clientWidth || 400;
    next.style.height = width * 9 / 16 + "px";
    next.innerHTML = "";
    if (current + 1 < slides.length) next.appendChild(copyOf(slides[current + 1], width));
    else next.textContent = "End of the deck";
    var aside = slides[current].querySelector("aside.notes");
    notes.innerHTML = aside ? aside.innerHTML : "<p>No notes for this slide.</p>";
    tick();
  }

  function tick() {
    var t = Math.floor((Date.now() - started) / 1000);
    panel.querySelector(".clock").textContent = "Slide " + (current + 1) + " of " + slides.length +
      " · " + Math.floor(t / 60) + ":" + ("0" + (t % 60)).slice(-2);
  }

  function buildOverview() {
    grid.innerHTML = "";
    slides.forEach(function (slide, i) {
      var thumb = document.createElement("div");
      thumb.className = "thumb" + (i === current ? " current" : "");
      thumb.title = "Slide " + (i + 1);
      thumb.appendChild(copyOf(slide, 256));
      thumb.addEventListener("click", function () {
        body.classList.remove("overview");
        show(i);
      });
      grid.appendChild(thumb);
    });
  }

  function show(n) {
    current = Math.min(Math.max(n, 0), slides.length - 1);
    slides.forEach(function (slide, i) { slide.classList.toggle("current", i === current); });
    var hash = "#" + (current + 1);
    if (location.hash !== hash) {
      try { history.replaceState(null, "", hash); } catch (e) { location.hash = hash; }
    }
    updatePresenter();
    var thumbs = grid.querySelectorAll(".thumb");
    for (var i = 0; i < thumbs.length; i++) thumbs[i].classList.toggle("current", i === current);
  }

  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    switch (e.key) {
      case "ArrowRight": case "ArrowDown": case "PageDown": case " ": case "n": show(current + 1); break;
      case "ArrowLeft": case "ArrowUp": case "PageUp": case "p": show(current - 1); break;
      case "Home": show(0); break;
      case "End": show(slides.length - 1); break;
      case "s": case "S":
        body.classList.toggle("presenter");
        if (body.classList.contains("presenter")) started = Date.now();
        layout();
        updatePresenter();
        break;
      case "o": case "O":
        body.classList.toggle("overview");
        if (body.classList.contains("overview")) buildOverview();
        break;
      case "Enter":
        if (!body.classList.contains("overview")) return;
        body.classList.remove("overview");
        break;
      case "Escape":
        body.classList.remove("overview");
        body.classList.remove("presenter");
        layout();
        break;
      default: return;
    }
    e.preventDefault();
  });
  window.addEventListener("hashchange", function () { show(fromHash()); });
  window.addEventListener("resize", function () { layout(); updatePresenter(); });
  setInterval(function () { if (body.classList.contains("presenter")) tick(); }, 1000);

  // deck.html?presenter#5 opens the presenter view (e.g. on the lecturer's screen), ?overview the grid.
  if (/[?&]presenter\b/.test(location.search)) body.classList.add("presenter");
  layout();
  show(fromHash());
  if (/[?&]overview\b/.test(location.search)) { body.classList.add("overview"); buildOverview(); }
  // The key help fades after a few seconds; ? brings it back.
  var help = document.getElementById("help");
  if (help) setTimeout(function () { help.classList.add("hidden"); }, 4000);
  document.addEventListener("keydown", function (e) { if (e.key === "?" && help) help.classList.toggle("hidden"); });
  // Fit once the pictures have their sizes, then record what (if anything) still overflows.
  function settle() {
    slides.forEach(fit);
    body.setAttribute("data-overflow", overflowing().join(","));
    body.setAttribute("data-slides", String(slides.length));
    // Whether the scaled slide lies wholly inside the window (checked at several window sizes).
    var box = deck.getBoundingClientRect();
    var inside = box.left >= -1 && box.top >= -1 && box.right <= window.innerWidth + 1 && box.bottom <= window.innerHeight + 1;
    body.setAttribute("data-window-fit", inside ? "yes" : "no");
  }
  if (document.readyState === "complete") settle();
  else window.addEventListener("load", settle);
})();
