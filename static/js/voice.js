// Her story in her voice: with JavaScript, a Record/Stop button records from the microphone
// (MediaRecorder) and puts the recording in the form's file input, so the form sends it like a file.
// Without it (or when the phone refuses the microphone), the file input opens the phone's own recorder.
(function () {
  "use strict";
  var input = document.getElementById("voice");
  if (!input || !window.MediaRecorder || !navigator.mediaDevices || !window.DataTransfer) { return; }
  var labels = input.dataset;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button big";
  button.id = "voice-record";
  button.textContent = labels.labelRecord;
  var status = document.createElement("p");
  status.className = "hint";
  status.id = "voice-status";
  status.setAttribute("role", "status");
  input.parentNode.insertBefore(button, input.previousElementSibling);
  input.parentNode.insertBefore(status, input.previousElementSibling);
  var recorder = null;
  var limit = null;

  function finished(stream, chunks) {
    stream.getTracks().forEach(function (track) { track.stop(); });
    clearTimeout(limit);
    var type = recorder.mimeType || "audio/webm";
    var extension = /mp4/.test(type) ? "m4a" : (/ogg/.test(type) ? "ogg" : "webm");
    var transfer = new DataTransfer();
    transfer.items.add(new File([new Blob(chunks, {type: type})], "story." + extension, {type: type}));
    input.files = transfer.files;
    button.textContent = labels.labelRecord;
    button.setAttribute("aria-pressed", "false");
    status.textContent = labels.labelReady;
  }

  button.addEventListener("click", function () {
    if (recorder && recorder.state === "recording") { recorder.stop(); return; }
    navigator.mediaDevices.getUserMedia({audio: true}).then(function (stream) {
      var chunks = [];
      var type = MediaRecorder.isTypeSupported("audio/webm;codecs=opus") ? "audio/webm;codecs=opus" : "";
      recorder = type ? new MediaRecorder(stream, {mimeType: type}) : new MediaRecorder(stream);
      recorder.addEventListener("dataavailable", function (event) { if (event.data.size) { chunks.push(event.data); } });
      recorder.addEventListener("stop", function () { finished(stream, chunks); });
      recorder.start(1000);
      limit = setTimeout(function () { if (recorder.state === "recording") { recorder.stop(); } }, 178000);
      button.textContent = labels.labelStop;
      button.setAttribute("aria-pressed", "true");
      status.textContent = labels.labelRecording;
    }, function () { status.textContent = labels.labelDenied; });
  });
}());
