// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  const printButton = event.target.closest("[data-print]");
  if (printButton) {
    event.preventDefault();
    window.print();
  }
  const confirmButton = event.target.closest("[data-confirm]");
  if (confirmButton && !window.confirm(confirmButton.dataset.confirm)) {
    event.preventDefault();
  }
});
