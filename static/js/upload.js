/* Photos for the garment form on a slow, dropping 3G link.
   Without this file the form posts the photos as a plain multipart upload. With it, each photo is
   downsized on the phone (canvas, longest side 2048 px), sent in 256 KB chunks with a progress bar,
   resumed from what the server has after a dropped connection, and replaced in the form by a
   "pending photo" token, so saving the form sends no photo again. Without signal, the downsized photo is
   handed to static/js/offline.js, which keeps it on the phone with the garment until the signal returns. */
(function () {
  "use strict";
  var CHUNK = 256 * 1024, LONGEST = 2048, QUALITY = 0.85, RETRIES = 30;
  var input = document.querySelector("input[type=file][data-upload-url]");
  if (!input || !window.fetch || !window.Blob) { return; }
  var form = input.form, list = document.getElementById("photo-list");
  var progressArea = document.getElementById("upload-progress");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var startUrl = input.dataset.uploadUrl;
  var maxBytes = parseInt(input.dataset.maxBytes, 10) || 0;

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function downsize(file) {
    if (!window.createImageBitmap || !/^image\//.test(file.type)) { return Promise.resolve(file); }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, LONGEST / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 2 * 1024 * 1024) { return file; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });  // the server says plainly if it is not a photo
  }

  function request(method, url, body) {
    return fetch(url, { method: method, body: body, credentials: "same-origin",
                        headers: { "X-CSRFToken": csrf, "Accept": "application/json" } });
  }

  function send(blob, bar) {
    // The server's limit, checked here first: nothing is sent over a slow link only to be refused.
    if (maxBytes && blob.size > maxBytes) { return Promise.reject({ message: input.dataset.labelTooBig }); }
    var data = new FormData();
    data.append("size", blob.size);
    return request("POST", startUrl, data).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) { throw j; } return j; });
    }).then(function (started) {
      var url = startUrl + "/" + started.id, offset = 0, failures = 0;
      function step() {
        bar.value = offset / blob.size;
        var chunk = blob.slice(offset, offset + CHUNK);
        return request("PUT", url + "?offset=" + offset, chunk).then(function (r) {
          return r.json().then(function (j) {
            if (r.status === 409) { offset = j.received; return step(); }
            if (!r.ok) { throw j; }
            failures = 0;
            if (j.done) { bar.value = 1; return j; }
            offset = j.received;
            return step();
          });
        }, function () {
          // Dropped connection: ask how much arrived, then carry on from there.
          failures += 1;
          if (failures > RETRIES) { throw { message: input.dataset.labelFailed }; }
          bar.title = input.dataset.labelRetry;
          return wait(Math.min(30000, 1000 * failures)).then(function () {
            return request("GET", url).then(function (r) { return r.json(); })
              .then(function (j) { offset = j.received; }, function () {});
          }).then(step);
        });
      }
      return step();
    });
  }

  function addPending(result) {
    var index = form.querySelectorAll("input[name=pending]").length;
    var item = document.createElement("li");
    item.className = "photo pending";
    var token = document.createElement("input");
    token.type = "hidden"; token.name = "pending"; token.value = result.token;
    var img = document.createElement("img");
    img.src = result.thumbnail; img.alt = ""; img.width = 120;
    var label = document.createElement("label");
    label.htmlFor = "pending_alt-" + index; label.textContent = input.dataset.labelAlt;
    var alt = document.createElement("input");
    alt.id = label.htmlFor; alt.name = label.htmlFor; alt.maxLength = 300;
    alt.value = (form.querySelector("[name=title]") || {}).value || "";
    var note = document.createElement("p");
    note.className = "hint"; note.textContent = "✅ " + input.dataset.labelDone;
    [token, img, label, alt, note].forEach(function (el) { item.appendChild(el); });
    list.appendChild(item);
  }

  input.addEventListener("change", function () {
    var files = Array.prototype.slice.call(input.files);
    if (!files.length) { return; }
    input.value = "";  // these photos travel by chunks, not again with the form
    if (!navigator.onLine && window.TelarOffline) {
      // No signal: downsized here all the same, then kept on the phone with the garment (static/js/offline.js).
      files.reduce(function (previous, file) {
        return previous.then(function () {
          return downsize(file).then(function (blob) { window.TelarOffline.keepPhoto(blob, file.name); });
        });
      }, Promise.resolve());
      return;
    }
    progressArea.hidden = false;
    files.reduce(function (previous, file) {
      return previous.then(function () {
        var row = document.createElement("div");
        var name = document.createElement("span");
        name.textContent = input.dataset.labelSending + " " + file.name;
        var bar = document.createElement("progress");
        bar.max = 1; bar.value = 0;
        row.appendChild(name); row.appendChild(bar);
        progressArea.appendChild(row);
        return downsize(file).then(function (blob) { return send(blob, bar); }).then(function (result) {
          addPending(result); row.remove();
        }, function (error) {
          var message = document.createElement("p");
          message.className = "error"; message.textContent = file.name + ": " + ((error && error.message) || input.dataset.labelFailed);
          row.replaceWith(message);
        });
      });
    }, Promise.resolve());
  });
}());
