// Hovering an aligned sentence outlines its partner on the other side. Everything works without this script.
"use strict";
document.addEventListener("mouseover", (event) => {
  const sentence = event.target.closest && event.target.closest("a.al");
  document.querySelectorAll(".hot").forEach((el) => el.classList.remove("hot"));
  if (!sentence) return;
  const href = sentence.getAttribute("href") || "";
  if (!href.startsWith("#")) return;
  const partner = document.getElementById(decodeURIComponent(href.slice(1)));
  if (partner) {
    partner.classList.add("hot");
    sentence.classList.add("hot");
  }
});
