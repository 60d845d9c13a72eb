// Listen instead of read: with JavaScript, the screen's spoken explanation plays from one large button
// (the whole width of the phone); without it, the browser's own player stays.
(function () {
  "use strict";
  var box = document.getElementById("screen-guide");
  if (!box) { return; }
  var audio = box.querySelector("audio");
  var label = box.querySelector(".guide-label");
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button big";
  button.id = "screen-guide-play";
  button.setAttribute("aria-pressed", "false");
  while (label.firstChild) { button.appendChild(label.firstChild); }
  label.replaceWith(button);
  audio.controls = false;
  audio.hidden = true;
  button.addEventListener("click", function () {
    if (audio.paused) { audio.play(); } else { audio.pause(); }
  });
  audio.addEventListener("play", function () { button.setAttribute("aria-pressed", "true"); });
  audio.addEventListener("pause", function () { button.setAttribute("aria-pressed", "false"); });
}());
