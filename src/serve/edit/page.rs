//! The editor's page: a form for a page's front matter, drawn from the fields
//! `GET /__anxuan/edit/form` sends (`parse::meta::Kind::fields`, the keys the build
//! validates), and its body in a plain textarea with a small toolbar. It runs in
//! the Chromium 78 of older phones and WebViews (no `?.`, no `??`, no flex `gap`), is usable by
//! keyboard, in large text. What the clerk types is kept in the browser
//! (localStorage) until it is saved, and a failed save keeps the form as it is.
//!
//! It must not load anything from outside the preview, nor keep the token anywhere
//! but in the page.

use crate::base::diagnostic::Lang;
use crate::base::xml::xml_escape;

const STYLE: &str = r#"
body { margin: 0; font: 18px/1.6 system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; color: #1a1a1a; background: #f6f7f9; }
main { max-width: 46rem; margin: 0 auto; padding: 16px; background: #fff; }
h1 { font-size: 26px; margin: 8px 0 16px; }
label, legend { display: block; font-weight: bold; margin: 18px 0 6px; }
.req { color: #8b0000; font-weight: normal; }
input[type=text], input[type=date], input[type=datetime-local], textarea, select { display: block; box-sizing: border-box; width: 100%; font: inherit; padding: 8px 10px; border: 2px solid #555; border-radius: 4px; background: #fff; color: #1a1a1a; }
textarea { min-height: 5em; }
#body { min-height: 16em; font-family: inherit; }
input:focus, textarea:focus, select:focus, button:focus, a:focus { outline: 3px solid #c8102e; outline-offset: 2px; }
fieldset { border: 0; padding: 0; margin: 0; }
.levels { display: flex; flex-wrap: wrap; margin: 0 -4px; }
.levels label { display: inline-block; margin: 4px; padding: 10px 14px; border-radius: 4px; border: 3px solid transparent; font-weight: bold; cursor: pointer; }
.levels input { margin-right: 6px; }
.levels label.chosen { border-color: #1a1a1a; }
.check label { display: inline; font-weight: normal; }
.figure-row { display: flex; margin: 0 -3px 6px; }
.figure-row input { margin: 0 3px; }
.figure-row input { display: inline-block; width: auto; flex: 1 1 auto; min-width: 0; font: inherit; padding: 8px 10px; border: 2px solid #555; border-radius: 4px; }
.figure-row input[data-part=label] { flex: 3 1 auto; }
.toolbar { display: flex; flex-wrap: wrap; margin: 4px -3px; align-items: center; }
.toolbar > * { margin: 3px; }
.toolbar label.inline { display: inline; margin: 0 0 0 8px; }
.toolbar select.inline { display: inline-block; width: auto; max-width: 100%; min-height: 44px; }
#delete { border-color: #8b0000; color: #8b0000; margin-top: 24px; }
button { font: inherit; min-height: 44px; padding: 6px 14px; border: 2px solid #1a1a1a; border-radius: 4px; background: #fff; color: #1a1a1a; cursor: pointer; }
button.primary { background: #1e5fb4; border-color: #1e5fb4; color: #fff; font-weight: bold; padding: 8px 28px; }
.hint { color: #444; font-size: 16px; margin: 4px 0; }
#status { min-height: 1.6em; font-weight: bold; }
#status.bad { color: #8b0000; }
#conflict { border: 3px solid #8b0000; padding: 12px; margin: 16px 0; }
.problem { margin: 4px 0; white-space: pre-wrap; color: #6b4e00; font-size: 17px; }
.problem.bad, #checks { color: #8b0000; font-weight: bold; }
#conflict textarea { min-height: 12em; }
"#;

/// The script's words: key, Chinese, English (`--lang en`).
const WORDS: &[(&str, &str, &str)] = &[
    ("fig_add", "加一行", "Add a row"),
    ("fig_label", "名称", "Label"),
    ("fig_value", "数字", "Number"),
    ("fig_unit", "单位", "Unit"),
    ("s0", "编辑码不对或已经用过：", "Wrong or used code: "),
    ("s1", "（必填）", " (required)"),
    ("s2", "预警", " warning"),
    ("s3", "（默认 A4）", "(A4 by default)"),
    ("s4", "已恢复上次没有保存的内容", "Restored what was typed and not saved"),
    ("s5", "错误：", "Error: "),
    ("s6", "注意：", "Note: "),
    ("s7", "（", " ("),
    ("s8", "）", ")"),
    ("s9", "有 ", ""),
    ("s10", " 处错误，改好之前网站不能生成（见各项下面的红字）", " error(s): the site will not build until they are fixed (see the red text under each field)"),
    ("s11", "小标题", "Heading"),
    ("s12", "要强调的字", "words to stress"),
    ("s13", "\n- ç¬¬äºæ¡\n\n", "\n- second item\n\n"),
    ("s14", "第一条", "first item"),
    ("s15", "\n\n| é¡¹ç® | æ°é |\n|---|---|\n| ", "\n\n| Item | Count |\n|---|---|\n| "),
    ("s16", "名称", "name"),
    ("s17", "](照片.jpg)", "](photo.jpg)"),
    ("s18", "照片说明（给看不见图的人）", "what the photo shows (for those who cannot see it)"),
    ("s19", "把这个页面移到回收站（.anxuan-recycle 文件夹）？网站上就不再有它。", "Move this page to the recycle folder (.anxuan-recycle)? It will no longer be on the site."),
    ("s20", "已移到回收站：", "Moved to the recycle folder: "),
    ("s21", "（要恢复，把它移回原来的文件夹）", " (to restore it, move it back to its folder)"),
    ("s22", "没有删除：这个文件在别处被改过，请重新打开再删", "Not deleted: the file was changed elsewhere; open it again first"),
    ("s23", "没有删除：", "Not deleted: "),
    ("s24", "先保存这个新页面，再加照片", "Save this new page first, then add photos"),
    ("s25", "正在加照片……", "Adding the photo…"),
    ("s26", "照片没有加上：", "The photo was not added: "),
    ("s27", "照片说明（写照片里是什么）", "photo description (what it shows)"),
    ("s28", "照片已加上：请把“照片说明”改成照片里的内容，再保存", "Photo added: replace “photo description” with what it shows, then save"),
    ("s29", "照片没有加上：连不上预览", "The photo was not added: the preview cannot be reached"),
    ("s30", "已粘贴：标题、表格和列表已按公文层次整理", "Pasted: headings, tables and lists arranged by the official-document levels"),
    ("s31", "已按纯文本粘贴", "Pasted as plain text"),
    ("s32", "已按纯文本粘贴（连不上预览）", "Pasted as plain text (the preview cannot be reached)"),
    ("s33", "没有保存：这个文件在别处被改过。下面是两边的内容，你填的都还在。", "Not saved: the file was changed elsewhere. Both texts are below; what you typed is kept."),
    ("s34", "还没有填：", "Still to fill in: "),
    ("s35", "、", ", "),
    ("s36", "正在保存……", "Saving…"),
    ("s37", "已保存，预览正在更新", "Saved; the preview is updating"),
    ("s38", "没有保存：", "Not saved: "),
    ("s39", "没有保存：连不上预览（anxuan serve 还在运行吗？）你填的内容还在。", "Not saved: the preview cannot be reached (is anxuan serve still running?). What you typed is kept."),
    ("s40", "通知", "notice"),
    ("s41", "宣传活动", "campaign"),
    ("s42", "数据统计", "statistics page"),
    ("s43", "宣传单", "leaflet"),
    ("s44", "编辑：", "Edit: "),
    ("s45", "新建", "New "),
    ("s46", "页面", "page"),
    ("s47", "打不开：", "Cannot open: "),
    ("s48", "文件：", "File: "),
    ("s49", "连不上预览（anxuan serve 还在运行吗？）", "The preview cannot be reached (is anxuan serve still running?)"),
];

const SCRIPT: &str = r#"(function () {
  "use strict";
  var token = document.querySelector('meta[name="anxuan-edit-token"]');
  token = token ? token.getAttribute("content") : "";
  // A computer on the LAN has no token in the page: it trades the terminal's code.
  if (!token) { try { token = sessionStorage.getItem("anxuan-edit-token") || ""; } catch (e) {} }
  if (!token) {
    var unlock = document.getElementById("unlock");
    unlock.hidden = false;
    document.getElementById("form").hidden = true;
    unlock.addEventListener("submit", function (e) {
      e.preventDefault();
      fetch("/__anxuan/edit/unlock", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ code: document.getElementById("code").value }) })
        .then(function (r) { return r.json().then(function (j) { return { status: r.status, json: j }; }); })
        .then(function (r) {
          if (r.status === 200) {
            try { sessionStorage.setItem("anxuan-edit-token", r.json.token); } catch (e) {}
            location.reload();
          } else {
            document.getElementById("status").textContent = L.s0 + (r.json.error || r.status);
            document.getElementById("status").className = "bad";
          }
        });
    });
    return;
  }
  var q = new URLSearchParams(location.search);
  var page = q.get("page") || "", kind = q.get("new") || "";
  var form = document.getElementById("form"), fieldsBox = document.getElementById("fields");
  var bodyBox = document.getElementById("body"), status = document.getElementById("status");
  var schema = null, initial = {}, initialBody = "", version = "";
  var draftKey = "anxuan-draft:" + (page || "new:" + kind);

  function say(text, bad) { status.textContent = text; status.className = bad ? "bad" : ""; }
  function api(method, path, body) {
    var opts = { method: method, headers: { "X-Anxuan-Token": token } };
    if (body) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(path, opts).then(function (r) {
      return r.json().then(function (j) { return { status: r.status, json: j }; });
    });
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) { if (attrs.hasOwnProperty(k)) { e.setAttribute(k, attrs[k]); } }
    if (text) { e.textContent = text; }
    return e;
  }
  function labelFor(f, id) {
    var l = el("label", { "for": id }, f[LANG] || f.zh);
    if (f.required) { l.appendChild(el("span", { "class": "req" }, L.s1)); }
    return l;
  }
  function localTime(v) {
    // 2024-07-10T08:00:00+08:00 → 2024-07-10T08:00 for a datetime-local input.
    return typeof v === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) ? v.slice(0, 16) : "";
  }
  function draw() {
    schema.fields.forEach(function (f) {
      var id = "f-" + f.key, v = schema.values[f.key], input;
      var wrap = el("div", { "class": "field", "data-key": f.key, "data-type": f.type });
      if (f.type === "level") {
        var set = el("fieldset", { id: id }), legend = el("legend", {}, f[LANG] || f.zh);
        if (f.required) { legend.appendChild(el("span", { "class": "req" }, L.s1)); }
        set.appendChild(legend);
        var box = el("div", { "class": "levels" });
        schema.levels.forEach(function (l) {
          var lab = el("label", { style: "background:" + l.background + ";color:" + l.text });
          var r = el("input", { type: "radio", name: "level", value: l.id });
          if (v === l.id || v === l.zh) { r.checked = true; lab.className = "chosen"; }
          lab.appendChild(r);
          lab.appendChild(document.createTextNode(LANG === "en" ? l.id.charAt(0).toUpperCase() + l.id.slice(1) + L.s2 + " (" + l.zh + ")" : l.zh + L.s2));
          box.appendChild(lab);
        });
        set.appendChild(box);
        wrap.appendChild(set);
        fieldsBox.appendChild(wrap);
        return;
      }
      if (f.type === "figures") {
        var fs = el("fieldset", { id: id });
        fs.appendChild(el("legend", {}, f[LANG] || f.zh));
        var rows = el("div", { "class": "figures" });
        fs.appendChild(rows);
        var add = el("button", { type: "button" }, L.fig_add);
        add.addEventListener("click", function () { figureRow(rows, {}); });
        fs.appendChild(add);
        (Array.isArray(v) ? v : []).forEach(function (row) { figureRow(rows, row); });
        if (!rows.children.length) { figureRow(rows, {}); }
        wrap.appendChild(fs);
        fieldsBox.appendChild(wrap);
        return;
      }
      if (f.type === "bool") {
        wrap.className += " check";
        input = el("input", { type: "checkbox", id: id });
        input.checked = v === true;
        wrap.appendChild(input);
        wrap.appendChild(el("label", { "for": id }, " " + (f[LANG] || f.zh)));
        fieldsBox.appendChild(wrap);
        return;
      }
      wrap.appendChild(labelFor(f, id));
      if (f.type === "long_text" || f.type === "list") {
        input = el("textarea", { id: id, rows: "4" });
        input.value = Array.isArray(v) ? v.join("\n") : (v || "");
      } else if (f.type === "paper") {
        input = el("select", { id: id });
        ["", "A4", "A5"].forEach(function (p) { input.appendChild(el("option", { value: p }, p || L.s3)); });
        input.value = v || "";
      } else if (f.type === "date") {
        var iso = typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v);
        input = el("input", { id: id, type: (v && !iso) ? "text" : "date" });
        input.value = v || "";
      } else if (f.type === "date_time") {
        input = el("input", { id: id, type: "datetime-local" });
        input.value = localTime(v);
        if (v && !input.value) { input.type = "text"; input.value = v; }
      } else {
        input = el("input", { id: id, type: "text" });
        if (f.type === "hazard") { input.setAttribute("list", "hazards"); }
        input.value = v || "";
      }
      if (f.required) { input.required = true; }
      wrap.appendChild(input);
      fieldsBox.appendChild(wrap);
    });
    var list = el("datalist", { id: "hazards" });
    schema.hazards.forEach(function (h) { list.appendChild(el("option", { value: h })); });
    fieldsBox.appendChild(list);
    bodyBox.value = schema.body || "";
    initial = collect();
    initialBody = bodyBox.value;
    restoreDraft();
  }
  // A row of a statistics page's figures: label, number, unit.
  function figureRow(rows, v) {
    var n = rows.children.length + 1, row = el("div", { "class": "figure-row" });
    [["label", L.fig_label, "12"], ["value", L.fig_value, "6"], ["unit", L.fig_unit, "4"]].forEach(function (c) {
      var input = el("input", { type: "text", "data-part": c[0], size: c[2], "aria-label": c[1] + " " + n, placeholder: c[1] });
      input.value = v[c[0]] || "";
      row.appendChild(input);
    });
    rows.appendChild(row);
  }
  function figures(key) {
    return [].map.call(document.getElementById("f-" + key).querySelectorAll(".figure-row"), function (row) {
      var out = {};
      [].forEach.call(row.querySelectorAll("input"), function (i) { out[i.getAttribute("data-part")] = i.value.trim(); });
      return out;
    }).filter(function (r) { return r.label || r.value; });
  }
  function collect() {
    var out = {};
    schema.fields.forEach(function (f) {
      if (f.type === "level") {
        var c = form.querySelector('input[name="level"]:checked');
        out[f.key] = c ? c.value : "";
      } else if (f.type === "figures") {
        out[f.key] = figures(f.key);
      } else if (f.type === "bool") {
        out[f.key] = document.getElementById("f-" + f.key).checked;
      } else if (f.type === "list") {
        out[f.key] = document.getElementById("f-" + f.key).value.split("\n").map(function (s) { return s.trim(); }).filter(function (s) { return s; });
      } else {
        out[f.key] = document.getElementById("f-" + f.key).value.trim();
      }
    });
    return out;
  }
  function changed(now) {
    var out = {};
    for (var k in now) {
      if (now.hasOwnProperty(k) && JSON.stringify(now[k]) !== JSON.stringify(initial[k])) { out[k] = now[k]; }
    }
    return out;
  }
  function keepDraft() {
    try { localStorage.setItem(draftKey, JSON.stringify({ fields: collect(), body: bodyBox.value })); } catch (e) {}
  }
  function restoreDraft() {
    var d = null;
    try { d = JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (e) {}
    if (!d || (JSON.stringify(d.fields) === JSON.stringify(initial) && d.body === initialBody)) { return; }
    var b = document.getElementById("restore");
    b.hidden = false;
    b.onclick = function () {
      schema.fields.forEach(function (f) {
        var v = d.fields[f.key], input = document.getElementById("f-" + f.key);
        if (f.type === "level") {
          var r = form.querySelector('input[name="level"][value="' + v + '"]');
          if (r) { r.checked = true; }
        } else if (f.type === "figures") {
          var rows = input.querySelector(".figures");
          rows.innerHTML = "";
          (v || []).forEach(function (row) { figureRow(rows, row); });
        } else if (f.type === "bool") { input.checked = !!v; }
        else if (f.type === "list") { input.value = (v || []).join("\n"); }
        else if (input) { input.value = v || ""; }
      });
      bodyBox.value = d.body;
      b.hidden = true;
      say(L.s4);
    };
  }
  // The build's checks on the form as it is, before saving, each at its field.
  var checkTimer = null, checkSeq = 0;
  function problemBox(key) {
    var id = "p-" + key, box = document.getElementById(id);
    if (box) { return box; }
    var at = key === "body" ? bodyBox : document.getElementById("f-" + key);
    if (!at) { at = fieldsBox.firstChild; }
    box = el("p", { id: id, "class": "problem" });
    if (at && at.parentNode) { at.parentNode.insertBefore(box, at.nextSibling); }
    if (at && at.setAttribute) { at.setAttribute("aria-describedby", id); }
    return box;
  }
  function check() {
    var seq = ++checkSeq, now = collect();
    var req = page ? { page: page, fields: changed(now), body: bodyBox.value } : { kind: kind, fields: now, body: bodyBox.value };
    api("POST", "/__anxuan/edit/check", req).then(function (r) {
      if (seq !== checkSeq || r.status !== 200) { return; }
      var boxes = document.querySelectorAll(".problem");
      for (var i = 0; i < boxes.length; i++) { boxes[i].textContent = ""; boxes[i].className = "problem"; }
      var errors = 0;
      r.json.problems.forEach(function (p) {
        var box = problemBox(schema.fields.some(function (f) { return f.key === p.field; }) || p.field === "body" ? p.field : "front");
        var line = (p.error ? L.s5 : L.s6) + p.message + (p.help ? L.s7 + p.help + L.s8 : "");
        box.textContent = box.textContent ? box.textContent + "\n" + line : line;
        box.className = "problem" + (p.error ? " bad" : "");
        if (p.error) { errors++; }
      });
      document.getElementById("checks").textContent = errors ? L.s9 + errors + L.s10 : "";
    });
  }
  // The text as it will read, beside the form while typing: rendered by the preview,
  // shown in a sandboxed frame (no script runs in it) with the site's stylesheet.
  var sheets = null, renderSeq = 0;
  function liveRender() {
    var seq = ++renderSeq;
    var ready = sheets ? Promise.resolve(sheets) : fetch("/").then(function (r) { return r.text(); }).then(function (h) {
      var d = new DOMParser().parseFromString(h, "text/html");
      sheets = [].map.call(d.querySelectorAll('link[rel="stylesheet"]'), function (l) {
        return '<link rel="stylesheet" href="' + new URL(l.getAttribute("href"), location.origin + "/").href + '">';
      }).join("");
      return sheets;
    });
    ready.then(function (links) {
      return api("POST", "/__anxuan/edit/render", { body: bodyBox.value }).then(function (r) {
        if (seq !== renderSeq || r.status !== 200) { return; }
        var base = location.origin + (schema.url || "/");
        document.getElementById("live").srcdoc = '<!DOCTYPE html><html lang="' + (LANG === "en" ? "en" : "zh-CN") + '"><head><meta charset="utf-8"><base href="' + base + '">' + links +
          '</head><body><main class="content" style="padding:8px 12px">' + r.json.html + "</main></body></html>";
      });
    });
  }
  function checkSoon() { clearTimeout(checkTimer); checkTimer = setTimeout(function () { check(); liveRender(); }, 500); }
  form.addEventListener("input", function () { keepDraft(); checkSoon(); });
  form.addEventListener("change", checkSoon);
  form.addEventListener("change", function (e) {
    if (e.target.name === "level") {
      var labels = form.querySelectorAll(".levels label");
      for (var i = 0; i < labels.length; i++) {
        labels[i].className = labels[i].querySelector("input").checked ? "chosen" : "";
      }
    }
    keepDraft();
  });
  function insert(before, after, placeholder) {
    var s = bodyBox.selectionStart, e = bodyBox.selectionEnd, v = bodyBox.value;
    var picked = v.slice(s, e) || placeholder;
    bodyBox.value = v.slice(0, s) + before + picked + after + v.slice(e);
    bodyBox.focus();
    bodyBox.selectionStart = s + before.length;
    bodyBox.selectionEnd = s + before.length + picked.length;
    keepDraft();
  }
  var tools = {
    heading: function () { insert("\n\n## ", "\n\n", L.s11); },
    bold: function () { insert("**", "**", L.s12); },
    list: function () { insert("\n\n- ", L.s13, L.s14); },
    table: function () { insert(L.s15, " | 0 |\n\n", L.s16); },
    image: function () { insert("![", L.s17, L.s18); },
  };
  // 链接: a page of the site chosen from the list, linked by its file (the build checks it).
  var linkTo = document.getElementById("link-to");
  linkTo.addEventListener("change", function () {
    var o = linkTo.options[linkTo.selectedIndex];
    if (!o.value) { return; }
    insert("[", "](" + o.value + ")", o.getAttribute("data-title"));
    linkTo.selectedIndex = 0;
  });
  function fillLinks() {
    schema.pages.forEach(function (p) {
      var o = el("option", { value: p.link, "data-title": p.title }, p.title);
      linkTo.appendChild(o);
    });
  }
  // Deleting moves the page into the recycle folder (.anxuan-recycle/), never removes it.
  var del = document.getElementById("delete");
  del.addEventListener("click", function () {
    if (!window.confirm(L.s19)) { return; }
    api("POST", "/__anxuan/edit/delete", { page: page, base: version }).then(function (r) {
      if (r.status === 200) {
        try { localStorage.removeItem(draftKey); } catch (e) {}
        form.hidden = true;
        del.hidden = true;
        say(L.s20 + r.json.moved_to + L.s21);
      } else if (r.status === 409) {
        say(L.s22, true);
      } else {
        say(L.s23 + (r.json.error || r.status), true);
      }
    });
  });
  var buttons = document.querySelectorAll(".toolbar button");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function () { tools[this.getAttribute("data-tool")](); });
  }
  // Pasting from Word or WPS: the clipboard's HTML read into blocks here, made into
  // Markdown by the preview with the same 公文 rules as `anxuan import`.
  function blocksOf(html) {
    var doc = new DOMParser().parseFromString(html, "text/html"), out = [];
    function skip(n) {
      var tag = n.tagName.toLowerCase(), st = (n.getAttribute("style") || "").toLowerCase();
      return tag === "style" || tag === "script" || tag === "head" || tag.indexOf(":") >= 0 || /mso-list:\s*ignore/.test(st);
    }
    function runs(node, noLists) {
      var list = [];
      (function walk(n, bold, italic) {
        if (n.nodeType === 3) {
          var t = n.nodeValue.replace(/[\r\n]+/g, "");
          if (t) { list.push({ text: t, bold: bold, italic: italic }); }
          return;
        }
        if (n.nodeType !== 1 || skip(n)) { return; }
        var tag = n.tagName.toLowerCase(), st = (n.getAttribute("style") || "").toLowerCase();
        if (noLists && (tag === "ul" || tag === "ol")) { return; }
        if (tag === "br") { list.push({ text: " " }); return; }
        var b = bold || tag === "b" || tag === "strong" || /font-weight:\s*(bold|[6-9]00)/.test(st);
        var i = italic || tag === "i" || tag === "em" || /font-style:\s*italic/.test(st);
        for (var c = n.firstChild; c; c = c.nextSibling) { walk(c, b, i); }
      })(node, false, false);
      return list;
    }
    function text(n) { return runs(n).map(function (r) { return r.text; }).join("").replace(/\s+/g, " ").trim(); }
    function depthOf(n) {
      var d = -1;
      for (var a = n.parentNode; a && a.tagName; a = a.parentNode) {
        var t = a.tagName.toLowerCase();
        if (t === "ul" || t === "ol") { d++; }
      }
      return Math.max(d, 0);
    }
    function block(n) {
      if (n.nodeType !== 1 || skip(n)) { return; }
      var tag = n.tagName.toLowerCase();
      if (/^h[1-6]$/.test(tag)) { out.push({ t: "h", level: +tag.charAt(1), runs: runs(n) }); return; }
      if (tag === "table") {
        var rows = [];
        [].forEach.call(n.querySelectorAll("tr"), function (tr) {
          if (tr.closest("table") !== n) { return; }
          var cells = [];
          [].forEach.call(tr.children, function (td) { cells.push(text(td)); });
          rows.push(cells);
        });
        out.push({ t: "table", rows: rows });
        return;
      }
      if (tag === "li") {
        out.push({ t: "li", depth: depthOf(n), ordered: n.parentNode.tagName.toLowerCase() === "ol", runs: runs(n, true) });
        [].forEach.call(n.children, function (c) { var ct = c.tagName.toLowerCase(); if (ct === "ul" || ct === "ol") { block(c); } });
        return;
      }
      if (tag === "p" || (tag === "div" && !n.querySelector("p,div,table,ul,ol,h1,h2,h3,h4,h5,h6"))) {
        var st = n.getAttribute("style") || "", m = /mso-list:\s*l\d+\s+level(\d+)/i.exec(st);
        if (m) {
          var marker = n.querySelector('[style*="mso-list:Ignore"], [style*="mso-list: Ignore"]');
          var ordered = marker ? /[0-9一二三四五六七八九十]/.test(marker.textContent) : false;
          out.push({ t: "li", depth: +m[1] - 1, ordered: ordered, runs: runs(n) });
          return;
        }
        out.push({ t: "p", runs: runs(n) });
        return;
      }
      for (var c = n.firstChild; c; c = c.nextSibling) { block(c); }
    }
    block(doc.body);
    return out;
  }
  // Photos dropped or pasted onto the text are saved beside the page; the build
  // publishes them resized and without where they were taken.
  function addPhotos(files) {
    var list = [].filter.call(files, function (f) { return /^image\//.test(f.type) || /\.(jpe?g|png|webp|heic)$/i.test(f.name); });
    if (!list.length) { return false; }
    if (!page) { say(L.s24, true); return true; }
    var at = bodyBox.selectionStart;
    (function next(i) {
      if (i >= list.length) { return; }
      say(L.s25);
      fetch("/__anxuan/edit/upload?page=" + encodeURIComponent(page), {
        method: "POST", headers: { "X-Anxuan-Token": token, "Content-Type": list[i].type || "application/octet-stream" }, body: list[i]
      }).then(function (r) { return r.json().then(function (j) { return { status: r.status, json: j }; }); }).then(function (r) {
        if (r.status !== 200) { say(L.s26 + (r.json.error || r.status), true); return; }
        var alt = L.s27, text = "\n\n![" + alt + "](" + r.json.name + ")\n\n", v = bodyBox.value;
        bodyBox.value = v.slice(0, at) + text + v.slice(at);
        bodyBox.focus();
        bodyBox.selectionStart = at + 4;
        bodyBox.selectionEnd = at + 4 + alt.length;
        at += text.length;
        keepDraft();
        say(L.s28);
        next(i + 1);
      }, function () { say(L.s29, true); });
    })(0);
    return true;
  }
  bodyBox.addEventListener("dragover", function (e) { e.preventDefault(); });
  bodyBox.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length && addPhotos(e.dataTransfer.files)) { e.preventDefault(); }
  });
  bodyBox.addEventListener("paste", function (e) {
    var html = e.clipboardData ? e.clipboardData.getData("text/html") : "";
    if (!html && e.clipboardData && e.clipboardData.files.length && addPhotos(e.clipboardData.files)) {
      e.preventDefault();
      return;
    }
    if (!html) { return; }
    e.preventDefault();
    var plain = e.clipboardData.getData("text/plain");
    var s = bodyBox.selectionStart, en = bodyBox.selectionEnd;
    api("POST", "/__anxuan/edit/paste", { blocks: blocksOf(html) }).then(function (r) {
      var md = r.status === 200 ? r.json.markdown : plain;
      var v = bodyBox.value;
      bodyBox.value = v.slice(0, s) + md + v.slice(en);
      bodyBox.selectionStart = bodyBox.selectionEnd = s + md.length;
      keepDraft();
      say(r.status === 200 ? L.s30 : L.s31);
    }, function () {
      var v = bodyBox.value;
      bodyBox.value = v.slice(0, s) + plain + v.slice(en);
      say(L.s32);
    });
  });
  function conflict(disk, diskVersion) {
    var box = document.getElementById("conflict");
    box.hidden = false;
    document.getElementById("disk").value = disk;
    document.getElementById("mine").value = bodyBox.value;
    say(L.s33, true);
    document.getElementById("overwrite").onclick = function () {
      version = diskVersion;
      box.hidden = true;
      save(true);
    };
  }
  // The preview below the form shows the page again once the site is built again.
  // `shownGen` is the build the preview shows; a save is followed by a new one.
  var shownGen = null;
  function noteGeneration() {
    fetch("/__anxuan/status").then(function (r) { return r.json(); }).then(function (s) { shownGen = s.generation; });
  }
  function refreshPreview() {
    var frame = document.getElementById("preview");
    if (!schema.url) { return; }
    var tries = 50;
    (function poll() {
      fetch("/__anxuan/status").then(function (r) { return r.json(); }).then(function (s) {
        if (s.generation !== shownGen && !s.error) { shownGen = s.generation; frame.src = schema.url + "?t=" + s.generation; }
        else if (--tries > 0) { setTimeout(poll, 200); }
      });
    })();
  }
  function save(all) {
    var now = collect(), body = bodyBox.value;
    var missing = schema.fields.filter(function (f) {
      var v = now[f.key];
      return f.required && (v === "" || (Array.isArray(v) && !v.length));
    });
    if (missing.length) {
      say(L.s34 + missing.map(function (f) { return f[LANG] || f.zh; }).join(L.s35), true);
      var first = document.getElementById("f-" + missing[0].key);
      if (first) { (first.querySelector ? (first.querySelector("input") || first) : first).focus(); }
      return;
    }
    say(L.s36);
    var req = page
      ? api("POST", "/__anxuan/edit/save", { page: page, base: version, fields: all ? now : changed(now), body: body })
      : api("POST", "/__anxuan/edit/create", { kind: kind, fields: now, body: body });
    req.then(function (r) {
      if (r.status === 200) {
        try { localStorage.removeItem(draftKey); } catch (e) {}
        if (!page) { location.replace("/__anxuan/edit/?page=" + encodeURIComponent(r.json.page) + "&saved=1"); return; }
        version = r.json.version;
        initial = now;
        initialBody = body;
        refreshPreview();
        say(L.s37);
      } else if (r.status === 409 && r.json.disk !== undefined) {
        conflict(r.json.disk, r.json.version);
      } else {
        say(L.s38 + (r.json.error || r.status), true);
      }
    }, function () { say(L.s39, true); });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); save(false); });
  var what = { notice: L.s40, warning: L.s2, campaign: L.s41, stats: L.s42, leaflet: L.s43 };
  document.getElementById("heading").textContent = page ? L.s44 + page : L.s45 + (what[kind] || L.s46);
  if (q.get("saved")) { say(L.s37); }
  api("GET", "/__anxuan/edit/form?" + (page ? "page=" + encodeURIComponent(page) : "new=" + encodeURIComponent(kind))).then(function (r) {
    if (r.status !== 200) { say(L.s47 + (r.json.error || r.status), true); return; }
    schema = r.json;
    version = schema.version;
    draw();
    fillLinks();
    liveRender();
    if (schema.url) {
      var frame = document.getElementById("preview");
      noteGeneration();
      frame.src = schema.url;
      document.getElementById("preview-box").hidden = false;
    }
    if (page) { del.hidden = false; }
    check();
    if (page) {
      document.getElementById("heading").textContent = L.s44 + (schema.values.title || page);
      document.getElementById("file").textContent = L.s48 + page;
    }
    document.getElementById("save").disabled = false;
  }, function () { say(L.s49, true); });
})();"#;

/// The editor's HTML. Without a token (a preview open to the LAN) it says editing
/// is off.
pub(super) fn html(token: Option<&str>, lang: Lang) -> String {
    let t = |zh: &'static str, en: &'static str| if lang == Lang::En { en } else { zh };
    let html_lang = t("zh-CN", "en");
    let Some(token) = token else {
        return format!(
            "<!DOCTYPE html><html lang=\"{html_lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body><main><h1>{}</h1><p>{}</p></main></body></html>",
            t("不能编辑", "Editing is off"),
            t("这个预览不能编辑", "This preview cannot edit"),
            t(
                "预览开放给局域网（--bind 0.0.0.0）时只能看，不能改。要编辑，在本机运行 anxuan serve，用本机浏览器打开；或者用 --edit-on-lan。",
                "A preview open to the LAN (--bind 0.0.0.0) is read-only. To edit, run anxuan serve on this computer and open it here, or add --edit-on-lan."
            )
        );
    };
    let words: serde_json::Map<String, serde_json::Value> = WORDS
        .iter()
        .map(|(k, zh, en)| (k.to_string(), serde_json::Value::from(t(zh, en))))
        .collect();
    // `</` cannot end the script from inside the words.
    let words = serde_json::Value::Object(words)
        .to_string()
        .replace("</", "<\\/");
    format!(
        "<!DOCTYPE html><html lang=\"{html_lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta name=\"anxuan-edit-token\" content=\"{token}\"><title>{title}</title><style>{STYLE}</style></head><body><main>\
<h1 id=\"heading\">{heading}</h1>\
<p class=\"hint\" id=\"file\"></p>\
<p><a href=\"/\">{back}</a></p>\
<p id=\"status\" role=\"status\" aria-live=\"polite\"></p>\
<p id=\"checks\" aria-live=\"polite\"></p>\
<button type=\"button\" id=\"restore\" hidden>{restore}</button>\
<form id=\"unlock\" hidden><label for=\"code\">{code}</label>\
<input type=\"text\" id=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\">\
<p><button type=\"submit\" class=\"primary\">{start}</button></p></form>\
<form id=\"form\" novalidate><div id=\"fields\"></div>\
<label for=\"body\">{body}</label>\
<p class=\"hint\">{hint}</p>\
<div class=\"toolbar\" role=\"toolbar\" aria-label=\"{format}\">\
<button type=\"button\" data-tool=\"heading\">{h}</button><button type=\"button\" data-tool=\"bold\">{b}</button><button type=\"button\" data-tool=\"list\">{l}</button><button type=\"button\" data-tool=\"table\">{tb}</button><button type=\"button\" data-tool=\"image\">{img}</button>\
<label for=\"link-to\" class=\"inline\">{link}</label><select id=\"link-to\" class=\"inline\"><option value=\"\">{pick}</option></select></div>\
<textarea id=\"body\" rows=\"16\"></textarea>\
<section id=\"live-box\" aria-label=\"{live}\"><p class=\"hint\">{live}</p><iframe id=\"live\" sandbox=\"\" title=\"{live}\" style=\"width:100%;height:420px;border:2px dashed #555;border-radius:4px;background:#fff\"></iframe></section>\
<p><button type=\"submit\" id=\"save\" class=\"primary\" disabled>{save}</button></p></form>\
<p><button type=\"button\" id=\"delete\" hidden>{delete}</button></p>\
<section id=\"preview-box\" hidden><h2>{preview}</h2><iframe id=\"preview\" title=\"{preview}\" style=\"width:100%;height:640px;border:2px solid #555;border-radius:4px\"></iframe></section>\
<section id=\"conflict\" hidden aria-label=\"{conflict}\"><h2>{changed}</h2>\
<label for=\"disk\">{disk}</label><textarea id=\"disk\" readonly></textarea>\
<label for=\"mine\">{mine}</label><textarea id=\"mine\" readonly></textarea>\
<p><button type=\"button\" id=\"overwrite\">{overwrite}</button></p></section>\
</main><script>var L = {words}, LANG = \"{lang_id}\";\n{SCRIPT}</script></body></html>",
        token = xml_escape(token),
        title = t("编辑页面 · anxuan 预览", "Edit · anxuan preview"),
        heading = t("编辑页面", "Edit a page"),
        back = t("← 回到网站预览", "← Back to the preview"),
        restore = t("恢复上次没有保存的内容", "Restore what was typed and not saved"),
        code = t("编辑码（运行 anxuan serve 的电脑的窗口里显示的 6 位数字）", "Edit code (the 6 digits in the window of the computer running anxuan serve)"),
        start = t("开始编辑", "Start editing"),
        body = t("正文", "Text"),
        hint = t("直接写文字；空一行是新的段落。也可以用下面的按钮加标题、列表、表格；照片直接拖进来。", "Write the text; an empty line starts a new paragraph. The buttons add headings, lists and tables; drag photos in."),
        format = t("正文格式", "Text format"),
        h = t("标题", "Heading"),
        b = t("加粗", "Bold"),
        l = t("列表", "List"),
        tb = t("表格", "Table"),
        img = t("图片", "Picture"),
        link = t("链接到：", "Link to:"),
        pick = t("（选一个页面）", "(choose a page)"),
        save = t("保存", "Save"),
        delete = t("删除这个页面（移到回收站）", "Delete this page (to the recycle folder)"),
        conflict = t("保存冲突", "Save conflict"),
        changed = t("文件在别处被改过", "The file was changed elsewhere"),
        disk = t("文件现在的内容", "The file as it is now"),
        mine = t("你写的正文", "Your text"),
        overwrite = t("用我填的内容覆盖", "Overwrite it with mine"),
        preview = t("预览（保存后更新）", "Preview (updated on saving)"),
        live = t("正文预览（边写边看，还没有保存）", "The text as it will read (as you type, not saved yet)"),
        lang_id = t("zh", "en"),
    )
}
