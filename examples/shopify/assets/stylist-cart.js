// Shopify cart glue for the stylist widget: "Add to cart" on a stylist card adds the variant of the
// chosen size with Shopify's Ajax Cart API, then opens the cart.
//
// It assumes the stylist's catalog was exported from Shopify with each product's handle in its URL
// (/products/HANDLE), as `stylist ingest` keeps it; the size is matched against the variant options.
(function () {
  "use strict";
  function handleOf(url) {
    var match = /\/products\/([^/?#]+)/.exec(url || "");
    return match ? match[1] : null;
  }
  document.addEventListener("stylist:add-to-cart", function (event) {
    var item = event.detail;
    var handle = handleOf(item.url);
    if (!handle) return;  // not a Shopify product URL: let the widget follow its cart link, if any
    event.preventDefault();
    var root = (window.Shopify && window.Shopify.routes && window.Shopify.routes.root) || "/";
    fetch(root + "products/" + encodeURIComponent(handle) + ".js")
      .then(function (r) { return r.json(); })
      .then(function (product) {
        var wanted = String(item.size || "").toLowerCase();
        var variant = product.variants.filter(function (v) {
          return v.available && (!wanted || v.options.some(function (o) { return String(o).toLowerCase() === wanted; }));
        })[0];
        if (!variant) throw new Error("no variant in size " + item.size);
        return fetch(root + "cart/add.js", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ items: [{ id: variant.id, quantity: 1 }] })
        });
      })
      .then(function (r) {
        if (!r.ok) throw new Error("cart/add.js answered " + r.status);
        if (!item.look) window.location.assign(root + "cart");  // a whole look: stay until the last piece
      })
      .catch(function (e) { console.warn("stylist: could not add to the cart:", e.message); });
  });
})();
