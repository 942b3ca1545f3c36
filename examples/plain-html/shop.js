// The shop's own code: widget settings (a data-* attribute on the tag would do as well) and a cart
// that the stylist's "Add to cart" fills through the stylist:add-to-cart event.
window.stylistSettings = {
  strings: { addToCart: "Add to bag", addLook: "Add the whole look to bag" },
  addToCart: true,  // show the button even without a cart link template: this page adds items itself
  shopperId: function () { return localStorage.getItem("plain-shop-customer") || null; }
};

document.addEventListener("stylist:add-to-cart", function (event) {
  event.preventDefault();  // the page adds it; the widget does not follow a cart link
  var item = event.detail;  // {id, size, title, price, currency, url, look?}
  var cart = JSON.parse(localStorage.getItem("plain-shop-cart") || "[]");
  cart.push({ id: item.id, size: item.size, title: item.title, price: item.price });
  localStorage.setItem("plain-shop-cart", JSON.stringify(cart));
  render(cart);
});

function render(cart) {
  document.getElementById("cart-count").textContent = String(cart.length);
  var list = document.getElementById("cart-lines");
  list.textContent = "";
  cart.forEach(function (line) {
    var li = document.createElement("li");
    li.textContent = line.title + (line.size ? " (" + line.size + ")" : "") + ": " + line.price;
    list.appendChild(li);
  });
}

document.addEventListener("DOMContentLoaded", function () {
  render(JSON.parse(localStorage.getItem("plain-shop-cart") || "[]"));
  document.getElementById("ask").addEventListener("click", function () {
    window.stylist.send("shirts for the office");  // the widget's public API
  });
});
