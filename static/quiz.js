// Keys for the quiz page: 1-4 choose an option, Enter goes on to the next question. The page
// works without it (the options are buttons, "Next" is a link).
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest("input, textarea, select")) return;
  const option = document.querySelector(`.quiz-options button[data-key="${event.key}"]`);
  if (option) {
    event.preventDefault();
    option.click();
    return;
  }
  const next = document.getElementById("quiz-next");
  if (event.key === "Enter" && next && !event.target.closest("a, button")) {
    event.preventDefault();
    next.click();
  }
});
