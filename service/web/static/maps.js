// The /map time filter without a reload: choosing an event hides the places and movements the timeline puts after
// it (the same rule as the server's ?until=N, which works without this script).
"use strict";
(function () {
  const select = document.getElementById("map-until");
  const svg = document.querySelector(".map-svg");
  if (!select || !svg) return;
  function apply() {
    const until = select.value === "" ? Infinity : Number(select.value);
    for (const mark of svg.querySelectorAll(".map-place")) {
      const first = Number(mark.dataset.first || 0);
      mark.classList.toggle("map-hidden", first > 0 && first > until);
    }
    for (const line of svg.querySelectorAll(".map-move")) {
      line.classList.toggle("map-hidden", Number(line.dataset.position) > until);
    }
    const url = new URL(window.location.href);
    if (select.value === "") url.searchParams.delete("until"); else url.searchParams.set("until", select.value);
    window.history.replaceState(null, "", url);
  }
  select.addEventListener("change", apply);
  const button = select.form && select.form.querySelector("button");
  if (button) button.hidden = true;
})();
