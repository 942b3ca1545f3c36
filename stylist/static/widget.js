/*
 * stylist chat widget: add one tag to a shop page
 *   <script src="https://STYLIST-HOST/widget.js" defer></script>
 * Optional attributes: data-title="Ask our stylist", data-api="https://STYLIST-HOST" (defaults to
 * the origin the script was loaded from). The shop's origin must be in STYLIST_ALLOWED_ORIGINS.
 *
 * Everything lives in a shadow root (the shop's CSS cannot break it, ours cannot leak out), and
 * every text from the shopper, the model or the catalog is inserted with textContent: it is never
 * parsed as HTML.
 */
(function () {
  "use strict";
  if (window.__stylistWidget) return;
  window.__stylistWidget = true;

  var script = document.currentScript;
  var api = (script && script.getAttribute("data-api")) || (script ? new URL(script.src).origin : "");
  var title = (script && script.getAttribute("data-title")) || "Ask our stylist";
  var THREAD_KEY = "stylist-thread:" + api;

  var CSS = [
    ":host { all: initial; }",
    "* { box-sizing: border-box; font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; }",
    ".launch { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; border: 0; border-radius: 28px;",
    "  background: #1f2937; color: #fff; padding: 14px 20px; font-size: 15px; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); }",
    ".panel { position: fixed; right: 20px; bottom: 84px; z-index: 2147483000; width: 380px; height: 560px;",
    "  max-height: calc(100vh - 104px); background: #fff; color: #111; border-radius: 12px; display: none;",
    "  flex-direction: column; box-shadow: 0 8px 30px rgba(0,0,0,.3); overflow: hidden; }",
    ".panel.open { display: flex; }",
    ".head { background: #1f2937; color: #fff; padding: 12px 14px; display: flex; justify-content: space-between; align-items: center; font-size: 15px; }",
    ".head button { background: transparent; color: #fff; border: 0; font-size: 13px; cursor: pointer; }",
    ".log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; font-size: 14px; }",
    ".msg { max-width: 88%; padding: 8px 11px; border-radius: 10px; white-space: pre-wrap; word-wrap: break-word; line-height: 1.35; }",
    ".user { align-self: flex-end; background: #2563eb; color: #fff; }",
    ".bot { align-self: flex-start; background: #f1f5f9; }",
    ".err { align-self: flex-start; background: #fee2e2; color: #991b1b; }",
    ".note { align-self: flex-start; color: #475569; font-size: 12px; font-style: italic; padding: 0 4px; }",
    ".status { align-self: flex-start; color: #64748b; font-size: 12px; }",
    ".cards { display: flex; gap: 8px; overflow-x: auto; padding-bottom: 4px; align-self: stretch; }",
    ".card { flex: 0 0 118px; border: 1px solid #e2e8f0; border-radius: 8px; padding: 6px; font-size: 12px; background: #fff; }",
    ".card img { width: 100%; height: 120px; object-fit: contain; display: block; }",
    ".card .t { font-weight: 600; margin-top: 4px; }",
    ".card div, .msg { overflow-wrap: anywhere; }",
    ".card .p { color: #b45309; font-weight: 600; }",
    ".card .c, .card .r { color: #64748b; }",
    ".form { display: flex; gap: 6px; padding: 8px; border-top: 1px solid #e2e8f0; align-items: center; }",
    ".form input[type=text] { flex: 1; padding: 9px; border: 1px solid #cbd5e1; border-radius: 8px; font-size: 14px; min-width: 0; }",
    ".form button { padding: 9px 12px; border: 0; border-radius: 8px; background: #2563eb; color: #fff; cursor: pointer; font-size: 14px; }",
    ".form button:disabled { opacity: .5; }",
    ".photo { background: #e2e8f0 !important; color: #111 !important; }",
    ".photo.has { background: #bbf7d0 !important; }",
    "@media (max-width: 480px) { .panel { right: 0; bottom: 0; width: 100vw; height: 100vh; max-height: 100vh; border-radius: 0; }",
    "  .panel.open + .launch { display: none; } }"
  ].join("\n");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  var host = el("div");
  host.id = "stylist-widget";
  var root = host.attachShadow({ mode: "open" });
  var style = el("style");
  style.textContent = CSS;
  root.appendChild(style);

  var panel = el("div", "panel");
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);
  var head = el("div", "head");
  head.appendChild(el("span", "", title));
  var tools = el("span");
  var newChat = el("button", "new", "New chat");
  var close = el("button", "close", "\u2715");
  close.setAttribute("aria-label", "Close");
  tools.appendChild(newChat);
  tools.appendChild(close);
  head.appendChild(tools);
  var log = el("div", "log");
  log.setAttribute("aria-live", "polite");
  var form = el("form", "form");
  var input = el("input");
  input.type = "text";
  input.placeholder = "What are you looking for?";
  input.setAttribute("aria-label", "Message");
  var file = el("input");
  file.type = "file";
  file.accept = "image/*";
  file.style.display = "none";
  var photo = el("button", "photo", "Photo");
  photo.type = "button";
  photo.title = "Attach a photo";
  var send = el("button", "send", "Send");
  send.type = "submit";
  form.appendChild(input);
  form.appendChild(file);
  form.appendChild(photo);
  form.appendChild(send);
  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(form);
  var launch = el("button", "launch", title);
  launch.setAttribute("aria-expanded", "false");
  root.appendChild(panel);
  root.appendChild(launch);

  var TREND_TOOLS = ["get_trend_forecast", "classify_trend"];
  // The final answer keeps the model's remarks, then lists the products with a reason each, so the
  // model's own list, product lines and "I found these:" introductions are not shown while streaming
  // (they would be replaced a moment later); the last, unfinished line waits until it is known.
  function remark(line) {
    return !!line.trim() && !/^\s*(?:[-*\u2022]|\d+[.)])\s/.test(line) &&
      !/\(\s*[\d.,]+\s*[A-Z]{3}\s*\)|^\s*outfit\s*:/i.test(line) && !/:\s*$/.test(line);
  }
  function draft(text) {
    var lines = text.split("\n"), last = lines.pop();
    var kept = lines.filter(remark);
    if (remark(last) && !/\(\s*[\d.,]*\s*[A-Z]{0,3}$/.test(last)) kept.push(last);
    return kept.join("\n").trim();
  }
  function scroll() { log.scrollTop = log.scrollHeight; }
  function add(cls, text) { var m = el("div", "msg " + cls, text); log.appendChild(m); scroll(); return m; }

  function price(p) {
    var n = Number(p.price);
    return (isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: 2 }) : "") + " " + (p.currency || "");
  }

  function cards(products) {
    if (!products || !products.length) return;
    var row = el("div", "cards");
    products.forEach(function (p) {
      var card = el("div", "card");
      card.setAttribute("data-product-id", String(p.id));
      if (p.image && /^https?:\/\//.test(p.image)) {
        var img = el("img");
        img.src = p.image;
        img.alt = String(p.title || "");
        img.loading = "lazy";
        card.appendChild(img);
      }
      card.appendChild(el("div", "t", p.title));
      card.appendChild(el("div", "p", price(p)));
      card.appendChild(el("div", "c", p.colour));
      if (p.reason) card.appendChild(el("div", "r", p.reason));
      row.appendChild(card);
    });
    log.appendChild(row);
    scroll();
  }

  function readFile(f) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(f);
    });
  }

  // Parse a server-sent-events body incrementally: "event: T\ndata: JSON\n\n" blocks.
  async function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      var cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        var block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        var type = "message", data = "";
        block.split("\n").forEach(function (line) {
          if (line.indexOf("event:") === 0) type = line.slice(6).trim();
          else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
        });
        if (data) onEvent(type, JSON.parse(data));
      }
    }
  }

  async function ask(text, f) {
    add("user", f ? text + "  [photo: " + f.name + "]" : text);
    var body = { message: text };
    var thread = sessionStorage.getItem(THREAD_KEY);
    if (thread) body.thread_id = thread;
    if (f) body.image = await readFile(f);
    var status = add("status", "Thinking\u2026");
    var answer = null;
    var response = await fetch(api + "/api/chat/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    });
    if (!response.ok) {
      var detail = "";
      try { detail = (await response.json()).detail; } catch (e) { detail = response.statusText; }
      status.remove();
      add("err", detail || ("error " + response.status));
      return;
    }
    var streamed = "", trendTurn = false;
    await readEvents(response, function (type, data) {
      if (type === "tool") {
        // A trend answer is the forecast's own wording: the model's retelling is not shown meanwhile.
        if (TREND_TOOLS.indexOf(data.name) >= 0) trendTurn = true;
        status.textContent = trendTurn ? "Reading the trend forecasts\u2026" : "Searching\u2026 (" + (data.name || "tool") + ")";
      } else if (type === "token") {
        streamed += data.text || "";
        var shown = trendTurn ? "" : draft(streamed);
        // The shown text only grows; the final answer settles the rest.
        if (!shown || (answer && shown.indexOf(answer.textContent) !== 0)) return;
        if (!answer) answer = add("bot", "");
        answer.textContent = shown;
        scroll();
      } else if (type === "final") {
        var reply = data.reply || {};
        if (!answer) answer = add("bot", "");
        answer.textContent = reply.answer || streamed;
        if (reply.thread_id) sessionStorage.setItem(THREAD_KEY, reply.thread_id);
        var relaxed = reply.relaxed && reply.relaxed.items;
        if (reply.products && reply.products.length) cards(reply.products);
        else if (relaxed && relaxed.length) { add("note", "Closest matches, not everything you asked for"); cards(relaxed); }
        (reply.notes || []).forEach(function (n) { add("note", n); });
      } else if (type === "error") {
        add("err", data.message || "something went wrong");
      }
    });
    status.remove();
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text || send.disabled) return;
    var f = file.files && file.files[0];
    input.value = "";
    file.value = "";
    photo.classList.remove("has");
    send.disabled = true;
    ask(text, f).catch(function (e) { add("err", "The stylist cannot be reached (" + e.message + ")"); })
      .finally(function () { send.disabled = false; input.focus(); });
  });
  photo.addEventListener("click", function () { file.click(); });
  file.addEventListener("change", function () { photo.classList.toggle("has", !!(file.files && file.files.length)); });
  newChat.addEventListener("click", function () {
    sessionStorage.removeItem(THREAD_KEY);
    while (log.firstChild) log.removeChild(log.firstChild);
  });
  close.addEventListener("click", function () { launch.click(); });
  launch.addEventListener("click", function () {
    var open = panel.classList.toggle("open");
    launch.setAttribute("aria-expanded", String(open));
    launch.textContent = open ? "Close" : title;
    if (open) input.focus();
  });

  function mount() { document.body.appendChild(host); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
