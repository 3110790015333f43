// Keys for the study page: Space shows the answer, 1-4 rate, u undoes. The page works without it.
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const typing = event.target.closest("input, textarea, select");
  if (typing) return;
  const show = document.getElementById("show-answer");
  if ((event.key === " " || event.key === "Enter") && show && !event.target.closest("a, button")) {
    event.preventDefault();
    show.click();
    return;
  }
  const rate = document.querySelector(`.rating-form button[data-key="${event.key}"]`);
  if (rate) {
    event.preventDefault();
    rate.click();
    return;
  }
  if (event.key === "u") {
    const undo = document.getElementById("undo");
    if (undo) {
      event.preventDefault();
      undo.click();
    }
  }
});
