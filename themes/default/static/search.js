/* anxuan search for /search/. It reads the index src/search.rs writes: meta.json (the
   first key of every chunk), the chunks holding the query's keys, and the records of the
   results on screen, nothing more. Chinese is matched by character bigrams, cut here
   exactly as the build cut the pages (fold and cls below mirror search.rs), so any
   phrase of two or more characters is found wherever it occurs; one character looks
   at every bigram that starts with it. ES5 on purpose: WeChat's engine is Chromium 78. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form || !window.XMLHttpRequest || !window.Uint8Array) { return; }
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var metaUrl = form.getAttribute("data-index");
  var dir = metaUrl.slice(0, metaUrl.lastIndexOf("/") + 1);
  var PER = 10, PREFIX_CHUNKS = 8;
  var cache = {}, parsed = {};
  var current = 0; // each search has a number: answers that arrive for an older one are dropped
  var state = null;

  function load(url, binary, done) {
    var c = cache[url];
    if (c && c.ok) { done(null, c.value); return; }
    if (c) { c.waiting.push(done); return; }
    c = cache[url] = { waiting: [done] };
    var x = new XMLHttpRequest();
    function finish(err, value) {
      if (err) { delete cache[url]; } else { c.ok = true; c.value = value; }
      var w = c.waiting;
      c.waiting = [];
      for (var i = 0; i < w.length; i++) { w[i](err, value); }
    }
    x.open("GET", url, true);
    if (binary) { x.responseType = "arraybuffer"; }
    x.onload = function () {
      if (x.status < 200 || x.status >= 300) { finish(new Error("HTTP " + x.status)); return; }
      try {
        finish(null, binary ? new Uint8Array(x.response) : JSON.parse(x.responseText));
      } catch (e) { finish(e); }
    };
    x.onerror = function () { finish(new Error("network")); };
    x.send();
  }

  // Loads every URL of `urls`; calls done(err, values) once all have arrived.
  function loadAll(urls, binary, done) {
    var left = urls.length, values = [], failed = null;
    if (!left) { done(null, values); return; }
    urls.forEach(function (u, i) {
      load(u, binary, function (err, v) {
        if (err) { failed = err; }
        values[i] = v;
        if (--left === 0) { done(failed, values); }
      });
    });
  }

  // search.rs `fold`: full-width ASCII as ASCII, ASCII letters lowercase; one unit in, one out.
  function fold(s) {
    var out = "", i, c;
    for (i = 0; i < s.length; i++) {
      c = s.charCodeAt(i);
      if (c >= 0xff01 && c <= 0xff5e) { c -= 0xfee0; }
      if (c >= 65 && c <= 90) { c += 32; }
      out += String.fromCharCode(c);
    }
    return out;
  }

  // search.rs `class`: 1 for ASCII letters and digits, 2 for Han, kana and hangul, 0 for the rest.
  function cls(c) {
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) { return 1; }
    if (c === 0x3007 || (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) ||
        (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) ||
        (c >= 0xf900 && c <= 0xfaff) || (c >= 0x20000 && c <= 0x3ffff)) { return 2; }
    return 0;
  }

  // The query's units, cut as the index cut the pages: a run of two or more Chinese
  // characters gives its bigrams, one character a prefix, an ASCII word itself.
  function units(q) {
    var f = fold(q), out = [], seen = {}, run = [], word = "", i, c, ch, lo;
    function add(u) { if (!seen[u.text]) { seen[u.text] = true; out.push(u); } }
    function endRun() {
      if (run.length === 1) { add({ text: run[0], prefix: run[0] }); }
      if (run.length > 1) {
        var keys = [];
        for (var j = 0; j + 1 < run.length; j++) { keys.push(run[j] + run[j + 1]); }
        add({ text: run.join(""), keys: keys });
      }
      run = [];
    }
    function endWord() { if (word) { add({ text: word, keys: [word] }); } word = ""; }
    for (i = 0; i < f.length; i++) {
      c = f.charCodeAt(i);
      ch = f.charAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < f.length) {
        lo = f.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) { c = (c - 0xd800) * 0x400 + lo - 0xdc00 + 0x10000; ch = f.substr(i, 2); i++; }
      }
      switch (cls(c)) {
        case 2: endWord(); run.push(ch); break;
        case 1: endRun(); word += ch; break;
        default: endRun(); endWord();
      }
    }
    endRun();
    endWord();
    return out;
  }

  // The chunk whose key range holds `key`: the last one whose first key is not after it.
  function chunkOf(meta, key) {
    var a = meta.chunks, lo = 0, hi = a.length - 1, mid;
    if (!a.length || key < a[0]) { return -1; }
    while (lo < hi) {
      mid = (lo + hi + 1) >> 1;
      if (a[mid] <= key) { lo = mid; } else { hi = mid - 1; }
    }
    return lo;
  }

  function prefixChunks(meta, p) {
    var first = Math.max(chunkOf(meta, p), 0), out = [first], a = meta.chunks, i;
    for (i = first + 1; i < a.length && out.length < PREFIX_CHUNKS && a[i].indexOf(p) === 0; i++) { out.push(i); }
    return out;
  }

  // A chunk: entries of (key as UTF-16 units, posting list), all as varints.
  function parseChunk(bytes) {
    var pos = 0, map = Object.create(null), order = [];
    function v() {
      var x = 0, mul = 1, b;
      do { b = bytes[pos++]; x += (b & 127) * mul; mul *= 128; } while (b & 128 && pos < bytes.length);
      return x;
    }
    while (pos < bytes.length) {
      var n = v(), key = "";
      for (var i = 0; i < n; i++) { key += String.fromCharCode(v()); }
      var len = v();
      map[key] = [pos, pos + len];
      order.push(key);
      pos += len;
    }
    return { bytes: bytes, map: map, order: order };
  }

  // A posting list as doc → [in title (0 or 1), frequency bucket 0..3]. Pages are
  // numbered newest first; each posting is (gap << 3 | bucket << 1 | title).
  function postings(chunk, key) {
    var r = chunk.map[key], out = {}, bytes = chunk.bytes, pos, doc = -1, x, mul, b;
    if (!r) { return out; }
    for (pos = r[0]; pos < r[1];) {
      x = 0; mul = 1;
      do { b = bytes[pos++]; x += (b & 127) * mul; mul *= 128; } while (b & 128 && pos < r[1]);
      doc += Math.floor(x / 8);
      out[doc] = [x & 1, (x >> 1) & 3];
    }
    return out;
  }

  function count(o) { var n = 0; for (var k in o) { n++; } return n; }

  // Pages in every one of `sets`: in the title only if in every title; the lowest frequency.
  function both(sets) {
    sets.sort(function (a, b) { return count(a) - count(b); });
    var res = sets[0] || {}, i, d, next, h;
    for (i = 1; i < sets.length; i++) {
      next = {};
      for (d in res) {
        h = sets[i][d];
        if (h) { next[d] = [res[d][0] & h[0], Math.min(res[d][1], h[1])]; }
      }
      res = next;
    }
    return res;
  }

  // Pages in any of `sets`, with the best of their weights.
  function either(sets) {
    var res = {}, i, d, h;
    for (i = 0; i < sets.length; i++) {
      for (d in sets[i]) {
        h = sets[i][d];
        res[d] = res[d] ? [res[d][0] | h[0], Math.max(res[d][1], h[1])] : h;
      }
    }
    return res;
  }

  function unitHits(meta, chunks, u) {
    if (u.keys) {
      return both(u.keys.map(function (k) {
        var c = chunks[chunkOf(meta, k)];
        return c ? postings(c, k) : {};
      }));
    }
    var sets = [];
    prefixChunks(meta, u.prefix).forEach(function (i) {
      var c = chunks[i];
      if (!c) { return; }
      c.order.forEach(function (k) { if (k.indexOf(u.prefix) === 0) { sets.push(postings(c, k)); } });
    });
    return either(sets);
  }

  // Ranked pages: those with the whole query in the title first, then those that
  // mention it most, then the newest (the lowest number).
  function rank(meta, chunks, us) {
    var perUnit = us.map(function (u) { return unitHits(meta, chunks, u); });
    var hits = perUnit[0], all = [], d, i, title, score;
    for (d in hits) {
      title = 1; score = 0;
      for (i = 0; i < perUnit.length; i++) {
        var h = perUnit[i][d];
        if (!h) { break; }
        title &= h[0];
        score += h[1];
      }
      if (i === perUnit.length) { all.push([+d, title, score]); }
    }
    all.sort(function (a, b) { return b[1] - a[1] || b[2] - a[2] || a[0] - b[0]; });
    return all;
  }

  function setStatus(text, st) {
    status.textContent = text;
    form.setAttribute("data-state", st);
  }

  function el(tag, cls, parent) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (parent) { parent.appendChild(e); }
    return e;
  }

  // Appends `text` to `parent`, each occurrence of a unit in a <mark>.
  function mark(parent, text, us) {
    var f = fold(text), pos = 0, i = 0, k, t, hit;
    while (i < f.length) {
      hit = 0;
      for (k = 0; k < us.length; k++) {
        t = us[k].text;
        if (t.length > hit && f.substr(i, t.length) === t) { hit = t.length; }
      }
      if (!hit) { i++; continue; }
      if (i > pos) { parent.appendChild(document.createTextNode(text.slice(pos, i))); }
      el("mark", "", parent).textContent = text.substr(i, hit);
      i += hit;
      pos = i;
    }
    if (pos < text.length) { parent.appendChild(document.createTextNode(text.slice(pos))); }
  }

  // About a sentence around the first hit, from a sentence start where one is near.
  function snippet(text, us) {
    var f = fold(text), at = -1, i, start = 0, stop;
    for (i = 0; i < us.length; i++) {
      var p = f.indexOf(us[i].text);
      if (p >= 0 && (at < 0 || p < at)) { at = p; }
    }
    if (at > 30) {
      start = at - 30;
      for (i = at - 1; i > at - 30; i--) {
        if ("。！？；\n".indexOf(text.charAt(i)) >= 0) { start = i + 1; break; }
      }
    }
    stop = Math.min(text.length, start + 80);
    return (start > 0 ? "…" : "") + text.slice(start, stop).replace(/\s+/g, " ") + (stop < text.length ? "…" : "");
  }

  // Whether every unit is in the record; a cut text may hide the rest of the page.
  function holds(r, us) {
    var hay = fold(r.t + "\n" + r.x);
    for (var i = 0; i < us.length; i++) {
      if (hay.indexOf(us[i].text) < 0) { return !r.c; }
    }
    return true;
  }

  function item(r, us) {
    var li = el("li", "", list), a = el("a", "page-link", li);
    // Every value of a record is shown as text (textContent, createTextNode), never
    // parsed as HTML; the URL is a path of this site, never a `javascript:` one.
    if (/^(\/|https?:\/\/)/.test(r.u)) { a.href = r.u; }
    mark(el("span", "item-title", a), r.t, us);
    el("span", "item-date", a).textContent = [r.s, r.d].filter(Boolean).join(" · ");
    mark(el("span", "item-summary", a), snippet(r.x, us), us);
  }

  function said(q, n) {
    return n ? "找到 " + n + " 篇含有“" + q + "”的页面" :
      "没有找到含有“" + q + "”的页面。可以换个说法，或只输入其中两三个字。";
  }

  function fail(id) {
    if (id !== current) { return; }
    more.hidden = true;
    setStatus("搜索暂时不能用（没能读取搜索索引），请稍后刷新页面再试。", "error");
  }

  // Shows the next PER results of the current search.
  function showMore(id) {
    var s = state, batch = s.hits.slice(s.shown, s.shown + PER);
    more.hidden = true;
    loadAll(batch.map(function (h) { return dir + "d/" + h[0] + ".json"; }), false, function (err, recs) {
      if (id !== current) { return; }
      if (err) { fail(id); return; }
      recs.forEach(function (r) {
        if (holds(r, s.units)) { item(r, s.units); } else { s.dropped++; }
      });
      s.shown += batch.length;
      list.hidden = !list.firstChild;
      more.hidden = s.shown >= s.hits.length;
      setStatus(said(s.q, s.hits.length - s.dropped), "done");
    });
  }

  function search(q) {
    var id = ++current, us = units(q);
    list.textContent = "";
    list.hidden = true;
    more.hidden = true;
    state = null;
    if (!us.length) { setStatus(q ? "请输入要找的汉字、字母或数字。" : "", "done"); return; }
    setStatus("正在搜索……", "loading");
    load(metaUrl, false, function (err, meta) {
      if (id !== current) { return; }
      if (err) { fail(id); return; }
      var need = [], seen = {};
      us.forEach(function (u) {
        (u.keys ? u.keys.map(function (k) { return chunkOf(meta, k); }) : prefixChunks(meta, u.prefix))
          .forEach(function (i) { if (i >= 0 && !seen[i]) { seen[i] = true; need.push(i); } });
      });
      loadAll(need.map(function (i) { return dir + "c/" + i + ".bin"; }), true, function (err2, bins) {
        if (id !== current) { return; }
        if (err2) { fail(id); return; }
        var chunks = {};
        need.forEach(function (i, j) {
          chunks[i] = parsed[i] || (parsed[i] = parseChunk(bins[j]));
        });
        state = { q: q, units: us, hits: rank(meta, chunks, us), shown: 0, dropped: 0 };
        if (!state.hits.length) { setStatus(said(q, 0), "done"); return; }
        showMore(id);
      });
    });
  }

  function fromUrl() {
    var m = /[?&]q=([^&#]*)/.exec(location.search);
    if (!m) { return ""; }
    try { return decodeURIComponent(m[1].replace(/\+/g, " ")); } catch (e) { return m[1]; }
  }

  function go(q) {
    input.value = q;
    if (window.history && history.pushState) {
      try { history.pushState(null, "", "?q=" + encodeURIComponent(q)); } catch (e) { /* a file: page */ }
    }
    search(q);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    go(input.value.replace(/^\s+|\s+$/g, ""));
  });
  var tips = document.querySelectorAll(".search-tips a");
  for (var i = 0; i < tips.length; i++) {
    tips[i].addEventListener("click", function (e) {
      e.preventDefault();
      go(this.textContent);
    });
  }
  more.addEventListener("click", function () { if (state) { showMore(current); } });
  window.addEventListener("popstate", function () { input.value = fromUrl(); search(input.value); });
  input.value = fromUrl();
  search(input.value);
})();
