/*
 * stylist chat widget: add one tag to a shop page
 *   <script src="https://STYLIST-HOST/widget.js" defer></script>
 * The shop's origin must be in STYLIST_ALLOWED_ORIGINS. README "In the shop" lists every option.
 *
 * Configuration: `window.stylistSettings = {...}` set before the tag, or data-* attributes on the tag
 * (the settings object wins): api, title, greeting, position ("right" | "left"), primaryColor, theme
 * ("light" | "dark" | "auto"), lang, strings (locale texts), openOnLoad, shopperId (a string or a
 * function returning one or a promise of one), anonymousId (false: no id kept in localStorage),
 * cartUrl (the add-to-cart link template), addToCart (true: show the button without a link), nonce.
 *
 * Public API, once the `stylist:ready` DOM event fired: window.stylist.open(), .close(), .toggle(),
 * .send(text) (a promise of the reply), .on(event, fn) (returns an unsubscribe function), .off(event,
 * fn); events "ready", "open", "close", "message", "add-to-cart". The page also receives DOM events
 * `stylist:ready|open|close|message|add-to-cart` (CustomEvent, detail as for on()); calling
 * preventDefault() on `stylist:add-to-cart` keeps the widget from following the cart link.
 *
 * Safety: everything lives in a shadow root (the shop's CSS cannot break it, ours cannot leak out),
 * styles are a constructable stylesheet (no inline style attributes or <style> needing a CSP nonce,
 * except in old browsers, where the nonce option is used), there is no eval or inline script, and
 * every text from the shopper, the model or the catalog is inserted with textContent: it is never
 * parsed as HTML.
 */
(function () {
  "use strict";
  if (window.__stylistWidget) return;
  window.__stylistWidget = true;

  var script = document.currentScript;
  var attrs = (script && script.dataset) || {};
  var given = window.stylistSettings && typeof window.stylistSettings === "object" ? window.stylistSettings : {};

  // A setting: the settings object, else the data-* attribute (strings), else the default.
  function setting(name, fallback) {
    if (given[name] !== undefined && given[name] !== null) return given[name];
    var attr = attrs[name];
    if (attr === undefined || attr === null) return fallback;
    if (typeof fallback === "boolean") return attr === "" || attr === "true" || attr === "1";
    return attr;
  }
  function jsonSetting(name) {
    var value = setting(name, null);
    if (typeof value !== "string") return value || {};
    try { return JSON.parse(value) || {}; } catch (e) { return {}; }
  }

  var api = String(setting("api", script ? new URL(script.src).origin : "")).replace(/\/+$/, "");
  var title = String(setting("title", "Ask our stylist"));
  var greeting = setting("greeting", "");
  var position = setting("position", "right") === "left" ? "left" : "right";
  var theme = String(setting("theme", "light"));
  var nonce = setting("nonce", (script && script.nonce) || "");
  var lang = setting("lang", "");
  var anonymousId = setting("anonymousId", true);
  var shopperIdSetting = setting("shopperId", null);
  var addToCartSetting = setting("addToCart", false);
  var cartUrlSetting = setting("cartUrl", "");

  var STRINGS = {
    close: "Close", closeChat: "Close chat", newChat: "New chat",
    placeholder: "What are you looking for?", message: "Message to the stylist", send: "Send",
    photo: "Photo", attachPhoto: "Attach a photo", photoFile: "Photo of an item",
    thinking: "Thinking\u2026", searching: "Searching\u2026", readingTrends: "Reading the trend forecasts\u2026",
    closest: "Closest matches, not everything you asked for", products: "Suggested products",
    addToCart: "Add to cart", addToCartNamed: "Add {title} to cart", addLook: "Add the whole look",
    size: "Size", sizeFor: "Size for {title}", chooseSize: "Choose a size",
    chooseSizeFirst: "Choose a size for {title} first.", added: "Added to cart: {title}",
    addedLook: "Added the look to your cart ({count} items)", suggested: "Your size: {size}",
    unreachable: "The stylist cannot be reached ({error})", failed: "Something went wrong",
    photoAttached: "[photo: {name}]"
  };  // prettier-ignore
  var custom = jsonSetting("strings");
  Object.keys(custom).forEach(function (key) { if (typeof custom[key] === "string") STRINGS[key] = custom[key]; });
  function t(key, values) {
    return String(STRINGS[key] || key).replace(/\{(\w+)\}/g, function (whole, name) {
      return values && values[name] !== undefined ? String(values[name]) : whole;
    });
  }

  var THREAD_KEY = "stylist-thread:" + api;
  var SHOPPER_KEY = "stylist-shopper-id";

  var CSS = [
    ":host { all: initial; --st-primary: #1f2937; --st-on-primary: #ffffff; --st-accent: #1d4ed8;",
    "  --st-bg: #ffffff; --st-fg: #111827; --st-soft: #f1f5f9; --st-line: #cbd5e1; --st-muted: #475569;",
    "  --st-price: #9a3412; --st-vh: 100dvh; }",
    ":host(.dark) { --st-bg: #111827; --st-fg: #f9fafb; --st-soft: #1f2937; --st-line: #4b5563;",
    "  --st-muted: #cbd5e1; --st-price: #fdba74; --st-accent: #2563eb; }",
    "@media (prefers-color-scheme: dark) { :host(.auto) { --st-bg: #111827; --st-fg: #f9fafb; --st-soft: #1f2937;",
    "  --st-line: #4b5563; --st-muted: #cbd5e1; --st-price: #fdba74; --st-accent: #2563eb; } }",
    "* { box-sizing: border-box; font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; }",
    ".launch { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; border: 0; border-radius: 28px;",
    "  background: var(--st-primary); color: var(--st-on-primary); padding: 14px 20px; font-size: 15px; cursor: pointer;",
    "  box-shadow: 0 4px 14px rgba(0,0,0,.25); }",
    ".panel { position: fixed; right: 20px; bottom: 84px; z-index: 2147483000; width: 380px; height: 560px;",
    "  max-height: calc(var(--st-vh) - 104px); background: var(--st-bg); color: var(--st-fg); border-radius: 12px;",
    "  display: none; flex-direction: column; box-shadow: 0 8px 30px rgba(0,0,0,.3); overflow: hidden; }",
    ".left .launch, .left .panel { right: auto; left: 20px; }",
    ".panel.open { display: flex; }",
    ".head { background: var(--st-primary); color: var(--st-on-primary); padding: 10px 14px; display: flex;",
    "  justify-content: space-between; align-items: center; gap: 8px; }",
    ".head h2 { margin: 0; font-size: 15px; font-weight: 600; }",
    ".head button { background: transparent; color: var(--st-on-primary); border: 1px solid transparent;",
    "  border-radius: 6px; font-size: 13px; padding: 6px 8px; cursor: pointer; }",
    ".head button:hover { border-color: currentColor; }",
    ".log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; font-size: 14px;",
    "  margin: 0; }",
    ".log > * { flex-shrink: 0; }",
    ".msg { max-width: 88%; padding: 8px 11px; border-radius: 10px; white-space: pre-wrap; word-wrap: break-word; line-height: 1.35; }",
    ".user { align-self: flex-end; background: var(--st-accent); color: #fff; }",
    ".bot, .greeting { align-self: flex-start; background: var(--st-soft); color: var(--st-fg); }",
    ".err { align-self: flex-start; background: #fee2e2; color: #7f1d1d; }",
    ".note { align-self: flex-start; color: var(--st-muted); font-size: 12px; font-style: italic; padding: 0 4px; }",
    ".status { align-self: flex-start; color: var(--st-muted); font-size: 12px; }",
    ".cards { display: flex; gap: 8px; overflow-x: auto; padding: 2px 2px 6px; margin: 0; align-self: stretch; list-style: none; }",
    ".card { flex: 0 0 132px; border: 1px solid var(--st-line); border-radius: 8px; padding: 6px; font-size: 12px;",
    "  background: var(--st-bg); display: flex; flex-direction: column; gap: 3px; }",
    ".card img { width: 100%; height: 120px; object-fit: contain; display: block; background: #fff; }",
    ".card .t { font-weight: 600; margin-top: 4px; }",
    ".card a { color: inherit; }",
    ".card div, .msg { overflow-wrap: anywhere; }",
    ".card .p { color: var(--st-price); font-weight: 600; }",
    ".card .c, .card .r, .card .fit { color: var(--st-muted); }",
    ".card select { font-size: 12px; padding: 3px; border: 1px solid var(--st-line); border-radius: 6px;",
    "  background: var(--st-bg); color: var(--st-fg); max-width: 100%; }",
    ".card .cart, .look { display: inline-block; text-align: center; text-decoration: none; border: 0; border-radius: 6px;",
    "  background: var(--st-primary); color: var(--st-on-primary); padding: 6px 8px; font-size: 12px; cursor: pointer; }",
    ".look { align-self: flex-start; font-size: 13px; }",
    ".form { display: flex; gap: 6px; padding: 8px; border-top: 1px solid var(--st-line); align-items: center; }",
    ".form input[type=text] { flex: 1; padding: 9px; border: 1px solid var(--st-line); border-radius: 8px;",
    "  font-size: 16px; min-width: 0; background: var(--st-bg); color: var(--st-fg); }",
    ".form button { padding: 9px 12px; border: 0; border-radius: 8px; background: var(--st-accent); color: #fff;",
    "  cursor: pointer; font-size: 14px; }",
    ".form button:disabled { opacity: .6; cursor: default; }",
    ".form .photo { background: var(--st-soft); color: var(--st-fg); border: 1px solid var(--st-line); }",
    ".form .photo.has { background: #bbf7d0; color: #111827; }",
    ".file { position: absolute; width: 1px; height: 1px; opacity: 0; pointer-events: none; }",
    ".sr { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;",
    "  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }",
    "button:focus-visible, a:focus-visible, select:focus-visible, input:focus-visible {",
    "  outline: 3px solid #f59e0b; outline-offset: 2px; }",
    // A phone: the panel is the whole visible viewport (100dvh, then the visual viewport's height once
    // known, so the on-screen keyboard never covers the input), and the launcher hides behind it.
    "@media (max-width: 480px) { .panel, .left .panel { left: 0; right: 0; top: 0; bottom: auto; width: 100vw;",
    "  height: var(--st-vh); max-height: none; border-radius: 0; }",
    "  .panel.open ~ .launch { display: none; } }"
  ].join("\n");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // -- the DOM ---------------------------------------------------------------------------------------

  var host = el("div");
  host.id = "stylist-widget";
  var root = host.attachShadow({ mode: "open" });
  if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    var style = el("style");
    if (nonce) style.setAttribute("nonce", nonce);
    style.textContent = CSS;
    root.appendChild(style);
  }
  var frame = el("div", position === "left" ? "left" : "");
  host.classList.add(theme === "dark" || theme === "auto" ? theme : "light");

  var panel = el("div", "panel");
  panel.id = "stylist-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "true");
  panel.setAttribute("aria-labelledby", "stylist-title");
  if (lang) panel.setAttribute("lang", lang);
  var head = el("div", "head");
  var heading = el("h2", "", title);
  heading.id = "stylist-title";
  head.appendChild(heading);
  var tools = el("span");
  var newChat = el("button", "new", t("newChat"));
  newChat.type = "button";
  var close = el("button", "close", "\u2715");
  close.type = "button";
  close.setAttribute("aria-label", t("closeChat"));
  tools.appendChild(newChat);
  tools.appendChild(close);
  head.appendChild(tools);
  // The log is a polite live region; while an answer streams it is aria-busy, so a screen reader
  // announces the finished answer once rather than every piece of it.
  var log = el("div", "log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-busy", "false");
  log.setAttribute("aria-label", title);
  log.tabIndex = -1;
  var form = el("form", "form");
  var input = el("input");
  input.type = "text";
  input.placeholder = t("placeholder");
  input.setAttribute("aria-label", t("message"));
  input.autocomplete = "off";
  var file = el("input", "file");
  file.type = "file";
  file.accept = "image/*";
  file.tabIndex = -1;
  file.setAttribute("aria-label", t("photoFile"));
  var photo = el("button", "photo", t("photo"));
  photo.type = "button";
  photo.title = t("attachPhoto");
  photo.setAttribute("aria-label", t("attachPhoto"));
  var send = el("button", "send", t("send"));
  send.type = "submit";
  form.appendChild(input);
  form.appendChild(file);
  form.appendChild(photo);
  form.appendChild(send);
  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(form);
  var launch = el("button", "launch", title);
  launch.type = "button";
  launch.setAttribute("aria-expanded", "false");
  launch.setAttribute("aria-controls", "stylist-panel");
  launch.setAttribute("aria-haspopup", "dialog");
  frame.appendChild(panel);
  frame.appendChild(launch);
  root.appendChild(frame);

  // -- the primary colour and a readable text colour on it -------------------------------------------

  function applyColour(colour) {
    if (!colour || !(window.CSS && CSS_supports("color", colour))) return;
    host.style.setProperty("--st-primary", colour);
    var probe = el("span");
    probe.style.color = colour;
    root.appendChild(probe);
    var rgb = (getComputedStyle(probe).color.match(/[\d.]+/g) || []).map(Number);
    root.removeChild(probe);
    if (rgb.length < 3) return;
    var lum = rgb.slice(0, 3).map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    // White or near-black text, whichever has the higher contrast on the colour (WCAG formula).
    host.style.setProperty("--st-on-primary", (1.05 / (l + 0.05)) >= ((l + 0.05) / 0.0611) ? "#ffffff" : "#111827");
  }
  function CSS_supports(prop, value) { try { return window.CSS.supports(prop, value); } catch (e) { return false; } }

  // -- events: window.stylist.on(...) and DOM CustomEvents on the page -------------------------------

  var listeners = {};
  function emit(name, detail) {
    (listeners[name] || []).slice().forEach(function (fn) {
      try { fn(detail); } catch (e) { setTimeout(function () { throw e; }); }
    });
    var ev = new CustomEvent("stylist:" + name, { detail: detail, bubbles: true, composed: true, cancelable: true });
    return (host.isConnected ? host : document).dispatchEvent(ev);
  }

  // -- who the shopper is -----------------------------------------------------------------------------

  function anonymous() {
    if (anonymousId === false || anonymousId === "false") return null;
    try {
      var id = localStorage.getItem(SHOPPER_KEY);
      if (!id) {
        id = window.crypto && crypto.randomUUID ? crypto.randomUUID()
          : "s-" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
        localStorage.setItem(SHOPPER_KEY, id);
      }
      return id;
    } catch (e) {
      return null;  // storage blocked (privacy mode, consent): no id
    }
  }
  // The server takes 1-128 letters, digits or -_.:@ (an id it cannot use would refuse the whole chat).
  function usable(id) {
    if (id === null || id === undefined || id === "") return null;
    id = String(id).trim();
    if (/^[A-Za-z0-9._:@-]{1,128}$/.test(id)) return id;
    if (window.console) console.warn("stylist: shopperId must be 1-128 letters, digits or -_.:@; using an anonymous id");
    return null;
  }
  function shopperId() {
    var provided = shopperIdSetting;
    if (typeof provided === "function") {
      return Promise.resolve().then(provided).then(function (id) { return usable(id) || anonymous(); },
        function () { return anonymous(); });
    }
    return Promise.resolve(usable(provided) || anonymous());
  }

  // -- the server's widget settings (cart link template) ---------------------------------------------

  var config = fetch(api + "/api/widget/config", { credentials: "omit" })
    .then(function (r) { return r.ok ? r.json() : {}; })
    .catch(function () { return {}; });
  function cartTemplate(cfg) { return String(cartUrlSetting || (cfg && cfg.cart_url_template) || ""); }

  // Analytics of the hand-off (POST /api/events). A missing endpoint (404) or a network error is ignored:
  // the shopper's action never depends on it.
  function report(kind, product, size) {
    return shopperId().then(function (sid) {
      var body = { shopper_id: sid, kind: kind, product_id: product ? String(product.id) : null,
        thread_id: sessionStorage.getItem(THREAD_KEY), size: size || null };
      return fetch(api + "/api/events", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
        keepalive: true, credentials: "omit"
      });
    }).catch(function () { return null; });
  }

  // -- the conversation -------------------------------------------------------------------------------

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
    return (isFinite(n) ? n.toLocaleString(lang || undefined, { maximumFractionDigits: 2 }) : "") + " " + (p.currency || "");
  }
  function link(url) {
    if (!url) return "";
    try {
      var u = new URL(String(url), location.href);  // a shop-relative product URL is on the shop's origin
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : "";
    } catch (e) { return ""; }
  }
  function inStock(p) {
    var sizes = p.sizes || {};
    return Object.keys(sizes).filter(function (s) { return Number(sizes[s]) > 0; });
  }
  function fill(template, p, size) {
    var values = { id: p.id, size: size || "", qty: 1, title: p.title || "" };
    return template.replace(/\{(id|size|qty|title)\}/g, function (whole, name) {
      return encodeURIComponent(String(values[name]));
    });
  }

  // One product card; returns what "add the whole look" needs of it.
  function card(p, cfg) {
    var node = el("li", "card");
    node.setAttribute("data-product-id", String(p.id));
    if (p.image && /^https?:\/\//.test(p.image)) {
      var img = el("img");
      img.src = p.image;
      img.alt = String(p.title || "");
      img.loading = "lazy";
      node.appendChild(img);
    }
    var href = link(p.url);
    var titleBox = el("div", "t");
    if (href) {
      var a = el("a", "", p.title);
      a.href = href;
      a.addEventListener("click", function () { report("click", p, null); });
      titleBox.appendChild(a);
    } else {
      titleBox.textContent = String(p.title || "");
    }
    node.appendChild(titleBox);
    node.appendChild(el("div", "p", price(p)));
    if (p.colour) node.appendChild(el("div", "c", p.colour));
    if (p.reason) node.appendChild(el("div", "r", p.reason));
    var fit = el("div", "fit");
    node.appendChild(fit);

    var template = cartTemplate(cfg);
    var sizes = inStock(p);
    var picker = null;
    var entry = { node: node, product: p, picker: null, fit: fit,
      size: function () { return picker ? picker.value : (sizes[0] || ""); } };
    if (!template && !(addToCartSetting === true || addToCartSetting === "true")) return entry;
    if (sizes.length > 1 || (sizes.length === 1 && !/^one size$/i.test(sizes[0]))) {
      picker = el("select");
      picker.setAttribute("aria-label", t("sizeFor", { title: p.title }));
      var none = el("option", "", t("chooseSize"));
      none.value = "";
      picker.appendChild(none);
      sizes.forEach(function (s) { var o = el("option", "", s); o.value = s; picker.appendChild(o); });
      node.appendChild(picker);
      entry.picker = picker;
    }
    var button = template ? el("a", "cart", t("addToCart")) : el("button", "cart", t("addToCart"));
    if (template) button.href = fill(template, p, entry.size());
    else button.type = "button";
    button.setAttribute("aria-label", t("addToCartNamed", { title: p.title }));
    if (picker) picker.addEventListener("change", function () { if (template) button.href = fill(template, p, picker.value); });
    button.addEventListener("click", function (ev) {
      var size = entry.size();
      if (picker && !size) {
        ev.preventDefault();
        add("note", t("chooseSizeFirst", { title: p.title }));
        picker.focus();
        return;
      }
      var go = handOff(p, size);
      if (!go || !template) ev.preventDefault();
    });
    node.appendChild(button);
    return entry;
  }

  // The hand-off: the widget's listeners and the page's DOM event, then the analytics report. Returns
  // whether the cart link should still be followed (no listener called preventDefault()).
  function handOff(p, size, look) {
    var detail = { id: String(p.id), size: size || null, title: String(p.title || ""), price: Number(p.price),
      currency: p.currency || "", url: link(p.url) || null };
    if (look) detail.look = look;
    var go = emit("add-to-cart", detail);
    report("add_to_cart", p, size);
    return go;
  }

  function cards(products, cfg, isLook) {
    if (!products || !products.length) return;
    var row = el("ul", "cards");
    row.setAttribute("aria-label", t("products"));
    var entries = products.map(function (p) { return card(p, cfg); });
    entries.forEach(function (entry) { row.appendChild(entry.node); });
    log.appendChild(row);
    adviseSizes(entries);
    var canAdd = cartTemplate(cfg) || addToCartSetting === true || addToCartSetting === "true";
    if (isLook && canAdd && entries.length > 1) {
      var whole = el("button", "look", t("addLook"));
      whole.type = "button";
      whole.addEventListener("click", function () { addLook(entries, cfg); });
      log.appendChild(whole);
    }
    scroll();
  }

  // Size advice: what the shopper said about their body and usual sizes in this conversation, read by
  // the server against the shop's size chart (POST /api/sizes); a card gets "Your size: M" and its size
  // picker starts there. Nothing is shown when the shopper said nothing about size.
  var SAID_KEY = "stylist-said:" + api;
  function remember(text) {
    var said = said_();
    said.push(text);
    try { sessionStorage.setItem(SAID_KEY, JSON.stringify(said.slice(-8))); } catch (e) { /* storage full */ }
  }
  function said_() {
    try { return JSON.parse(sessionStorage.getItem(SAID_KEY) || "[]") || []; } catch (e) { return []; }
  }
  function adviseSizes(entries) {
    var sized = entries.filter(function (e) { return Object.keys(e.product.sizes || {}).length; });
    var text = said_().join("\n").slice(-5000);
    if (!sized.length || !/\d|\b(xs|s|m|l|xl|xxl|small|medium|large)\b/i.test(text)) return Promise.resolve();
    return fetch(api + "/api/sizes", {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit",
      body: JSON.stringify({ text: text, product_ids: sized.map(function (e) { return String(e.product.id); }) })
    }).then(function (r) { return r.ok ? r.json() : {}; }).then(function (data) {
      var advice = (data && data.advice) || {};
      sized.forEach(function (e) {
        var a = advice[String(e.product.id)];
        if (!a || !a.size) return;
        e.fit.textContent = t("suggested", { size: a.size });
        e.fit.title = a.reason || "";
        if (a.reason) e.fit.appendChild(el("span", "sr", " (" + a.reason + ")"));
        e.advice = a;
        if (e.picker && !e.picker.value && Array.prototype.some.call(e.picker.options, function (o) { return o.value === a.size; })) {
          e.picker.value = a.size;
          e.picker.dispatchEvent(new Event("change"));
        }
      });
    }).catch(function () {});
  }

  // "Add the whole look": every piece needs its size; one add-to-cart event per piece (detail.look lists
  // the look's ids). With a cart link template, each piece's link is requested in turn and the page then
  // goes to the last one (the shop's cart), unless a listener called preventDefault().
  function addLook(entries, cfg) {
    var missing = entries.filter(function (e) { return e.picker && !e.picker.value; })[0];
    if (missing) {
      add("note", t("chooseSizeFirst", { title: missing.product.title }));
      missing.picker.focus();
      return;
    }
    var ids = entries.map(function (e) { return String(e.product.id); });
    var template = cartTemplate(cfg);
    var follow = entries.map(function (e) { return handOff(e.product, e.size(), ids); });
    add("note", t("addedLook", { count: entries.length }));
    if (!template || follow.indexOf(false) >= 0) return;
    var urls = entries.map(function (e) { return fill(template, e.product, e.size()); });
    var last = urls.pop();
    urls.reduce(function (chain, url) {
      return chain.then(function () {
        return fetch(new URL(url, location.href).href, { credentials: "include", mode: "no-cors" }).catch(function () {});
      });
    }, Promise.resolve()).then(function () { location.assign(new URL(last, location.href).href); });
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

  function isLook(reply) {
    var products = reply.products || [];
    if (products.filter(function (p) { return p.role; }).length > 1) return true;
    return (reply.tool_calls || []).some(function (c) { return c.name === "complete_the_look"; });
  }

  async function ask(text, f) {
    add("user", f ? text + "  " + t("photoAttached", { name: f.name }) : text);
    remember(text);
    emit("message", { role: "user", text: text });
    var body = { message: text };
    var thread = sessionStorage.getItem(THREAD_KEY);
    if (thread) body.thread_id = thread;
    var sid = await shopperId();
    if (sid) body.shopper_id = sid;
    if (f) body.image = await readFile(f);
    var status = add("status", t("thinking"));
    log.setAttribute("aria-busy", "true");
    var answer = null, final = null;
    try {
      var response = await fetch(api + "/api/chat/stream", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body)
      });
      if (!response.ok) {
        var detail = "";
        try { detail = (await response.json()).detail; } catch (e) { detail = response.statusText; }
        add("err", detail || ("error " + response.status));
        return null;
      }
      var cfg = await config;
      var streamed = "", trendTurn = false;
      await readEvents(response, function (type, data) {
        if (type === "tool") {
          // A trend answer is the forecast's own wording: the model's retelling is not shown meanwhile.
          if (TREND_TOOLS.indexOf(data.name) >= 0) trendTurn = true;
          status.textContent = trendTurn ? t("readingTrends") : t("searching");
        } else if (type === "token") {
          streamed += data.text || "";
          var shown = trendTurn ? "" : draft(streamed);
          // The shown text only grows; the final answer settles the rest.
          if (!shown || (answer && shown.indexOf(answer.textContent) !== 0)) return;
          if (!answer) answer = add("bot", "");
          answer.textContent = shown;
          scroll();
        } else if (type === "final") {
          var reply = final = data.reply || {};
          if (!answer) answer = add("bot", "");
          answer.textContent = reply.answer || streamed;
          if (reply.thread_id) sessionStorage.setItem(THREAD_KEY, reply.thread_id);
          var relaxed = reply.relaxed && reply.relaxed.items;
          if (reply.products && reply.products.length) cards(reply.products, cfg, isLook(reply));
          else if (relaxed && relaxed.length) { add("note", t("closest")); cards(relaxed, cfg, false); }
          (reply.notes || []).forEach(function (n) { add("note", n); });
        } else if (type === "error") {
          add("err", data.message || t("failed"));
        }
      });
    } finally {
      status.remove();
      log.setAttribute("aria-busy", "false");
    }
    if (final) emit("message", { role: "assistant", text: final.answer || "", reply: final });
    return final;
  }

  var busy = null;
  function submit(text, f) {
    text = String(text || "").trim();
    if (!text) return Promise.resolve(null);
    if (busy) return busy.then(function () { return submit(text, f); });
    send.disabled = true;
    busy = ask(text, f)
      .catch(function (e) { add("err", t("unreachable", { error: e.message })); return null; })
      .finally(function () { busy = null; send.disabled = false; if (isOpen()) input.focus(); });
    return busy;
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (send.disabled) return;
    var text = input.value.trim();
    if (!text) return;
    var f = file.files && file.files[0];
    input.value = "";
    file.value = "";
    photo.classList.remove("has");
    submit(text, f);
  });
  photo.addEventListener("click", function () { file.click(); });
  file.addEventListener("change", function () { photo.classList.toggle("has", !!(file.files && file.files.length)); });
  newChat.addEventListener("click", function () {
    sessionStorage.removeItem(THREAD_KEY);
    sessionStorage.removeItem(SAID_KEY);
    while (log.firstChild) log.removeChild(log.firstChild);
    greet();
    input.focus();
  });

  // -- opening, closing, focus -------------------------------------------------------------------------

  function isOpen() { return panel.classList.contains("open"); }
  function greet() { if (greeting && !log.firstChild) add("greeting", greeting); }
  function open() {
    if (isOpen()) return;
    panel.classList.add("open");
    launch.setAttribute("aria-expanded", "true");
    launch.textContent = t("close");
    greet();
    fitViewport();
    input.focus();
    emit("open", {});
  }
  function shut(returnFocus) {
    if (!isOpen()) return;
    panel.classList.remove("open");
    launch.setAttribute("aria-expanded", "false");
    launch.textContent = title;
    if (returnFocus !== false) launch.focus();
    emit("close", {});
  }
  close.addEventListener("click", function () { shut(); });
  launch.addEventListener("click", function () { if (isOpen()) shut(); else open(); });

  function focusables() {
    return Array.prototype.filter.call(
      panel.querySelectorAll("a[href], button, input, select, textarea, [tabindex]"),
      function (n) { return !n.disabled && n.tabIndex >= 0 && n.getClientRects().length > 0; }
    );
  }
  // Escape closes and returns focus to the launcher; Tab and Shift+Tab stay inside the open panel.
  panel.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      ev.preventDefault();
      ev.stopPropagation();
      shut();
      return;
    }
    if (ev.key !== "Tab") return;
    var items = focusables();
    if (!items.length) return;
    var first = items[0], last = items[items.length - 1], active = root.activeElement;
    if (ev.shiftKey && (active === first || items.indexOf(active) < 0)) { ev.preventDefault(); last.focus(); }
    else if (!ev.shiftKey && (active === last || items.indexOf(active) < 0)) { ev.preventDefault(); first.focus(); }
  });

  // On a phone the on-screen keyboard shrinks the visual viewport: the panel follows it, so the input
  // stays visible. (Zoom is never locked: the page's viewport meta tag is left alone.)
  function fitViewport() {
    var vv = window.visualViewport;
    if (!vv) return;
    host.style.setProperty("--st-vh", Math.round(vv.height) + "px");
    if (isOpen() && window.matchMedia("(max-width: 480px)").matches) {
      panel.style.setProperty("top", Math.round(vv.offsetTop) + "px");
      scroll();
    } else {
      panel.style.removeProperty("top");
    }
  }
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", fitViewport);
    window.visualViewport.addEventListener("scroll", fitViewport);
  }

  // -- the public API ----------------------------------------------------------------------------------

  window.stylist = {
    open: open,
    close: function () { shut(false); },
    toggle: function () { if (isOpen()) shut(false); else open(); },
    isOpen: isOpen,
    send: function (text) { open(); return submit(text); },
    on: function (name, fn) {
      if (typeof fn !== "function") return function () {};
      (listeners[name] = listeners[name] || []).push(fn);
      return function () { window.stylist.off(name, fn); };
    },
    off: function (name, fn) {
      listeners[name] = (listeners[name] || []).filter(function (g) { return g !== fn; });
    },
    shopperId: shopperId,
    version: 2
  };

  function mount() {
    document.body.appendChild(host);
    applyColour(setting("primaryColor", ""));
    fitViewport();
    emit("ready", { api: api });
    if (setting("openOnLoad", false) === true) open();
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
