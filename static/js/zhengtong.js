// Behaviour shared by every page, bound here because the content security policy allows no
// inline scripts or on*="" attributes: a button with data-action="print" prints the page.
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-action='print']");
  if (target) {
    event.preventDefault();
    window.print();
  }
});
