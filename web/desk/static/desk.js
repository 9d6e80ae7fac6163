// The desk's enhancements: confirmations, the live preview and autosave in
// the post editor, and photo text offered from the media library. Every
// page works without it.
(function () {
  'use strict';

  document.addEventListener('click', function (e) {
    var b = e.target.closest('[data-confirm]');
    if (b && !window.confirm(b.getAttribute('data-confirm'))) {
      e.preventDefault();
    }
  });

  var form = document.getElementById('editor');
  if (!form) {
    return;
  }

  // Choosing a photo from the library offers its stored text.
  var pick = document.getElementById('image_key');
  if (pick) {
    pick.addEventListener('change', function () {
      var o = pick.options[pick.selectedIndex];
      ['alt', 'caption', 'credit'].forEach(function (k) {
        var f = document.getElementById('image_' + k);
        if (f && !f.value && o.dataset[k]) {
          f.value = o.dataset[k];
        }
      });
    });
  }

  // The form's text fields, without the file.
  function fields() {
    var p = new URLSearchParams();
    new FormData(form).forEach(function (v, k) {
      if (typeof v === 'string') {
        p.append(k, v);
      }
    });
    return p;
  }

  // Live preview, rendered by the server with the site's renderer.
  var body = document.getElementById('body');
  var pane = document.getElementById('preview');
  if (body && pane && body.dataset.preview) {
    var timer = 0, seq = 0;
    var render = function () {
      var n = ++seq;
      var p = new URLSearchParams();
      p.append('body', body.value);
      fetch(body.dataset.preview, { method: 'POST', body: p, credentials: 'same-origin' })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
        .then(function (html) { if (n === seq) { pane.innerHTML = html; } })
        .catch(function () {});
    };
    body.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(render, 300);
    });
  }

  // Autosave of drafts every few seconds while something changed.
  var url = form.dataset.autosave;
  var status = document.getElementById('autosave-status');
  if (!url || !status) {
    return;
  }
  var last = fields().toString();
  var busy = false;
  form.addEventListener('submit', function () { busy = true; });
  setInterval(function () {
    if (busy) {
      return;
    }
    var now = fields();
    var s = now.toString();
    if (s === last) {
      return;
    }
    busy = true;
    status.textContent = 'Saving…';
    fetch(url, { method: 'POST', body: now, credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (res) {
        if (res.ok) {
          last = s;
          status.textContent = 'Saved at ' + res.j.saved + '.';
          return;
        }
        var msg = res.j.message || 'Not saved.';
        if (res.j.errors) {
          msg += ' ' + Object.keys(res.j.errors).map(function (k) { return res.j.errors[k]; }).join(' ');
        }
        status.textContent = msg;
      })
      .catch(function () { status.textContent = 'Not saved: the desk cannot be reached. Your text is still here.'; })
      .then(function () { busy = false; });
  }, 5000);
})();

// The round-up's issue screen: the live progress bar of a send, and
// reordering articles by dragging them within their section. Without
// scripts the page shows the numbers as of its loading and the arrow
// buttons reorder.
(function () {
  'use strict';

  var box = document.getElementById('progress');
  if (box && box.dataset.live && box.dataset.url) {
    var bar = document.getElementById('progress-bar');
    var started = box.dataset.live;
    var poll = function () {
      fetch(box.dataset.url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (p) {
          if (p.total > 0) {
            bar.max = p.total;
            bar.value = p.done;
          }
          bar.textContent = p.percent + '%';
          box.querySelectorAll('[data-field]').forEach(function (el) {
            var v = p[el.dataset.field];
            if (v !== undefined) {
              el.textContent = v;
            }
          });
          if (p.status !== started) {
            // The buttons that fit the new state come with the page.
            window.location.reload();
            return;
          }
          setTimeout(poll, p.status === 'sending' || p.status === 'running' || p.status === 'queued' ? 1000 : 5000);
        })
        .catch(function () { setTimeout(poll, 5000); });
    };
    setTimeout(poll, 1000);
  }

  var orderForm = document.getElementById('order-form');
  var lists = document.querySelectorAll('[data-sortable]');
  if (!orderForm || !lists.length) {
    return;
  }
  var dragged = null;
  lists.forEach(function (list) {
    list.querySelectorAll('.issue-item').forEach(function (li) {
      li.setAttribute('draggable', 'true');
      li.addEventListener('dragstart', function (e) {
        dragged = li;
        li.classList.add('dragging');
        e.dataTransfer.effectAllowed = 'move';
        e.dataTransfer.setData('text/plain', li.dataset.id);
      });
      li.addEventListener('dragend', function () {
        li.classList.remove('dragging');
        dragged = null;
      });
    });
    list.addEventListener('dragover', function (e) {
      // Articles move within their own section only.
      if (!dragged || dragged.parentNode !== list) {
        return;
      }
      e.preventDefault();
      var after = null;
      list.querySelectorAll('.issue-item:not(.dragging)').forEach(function (li) {
        var box = li.getBoundingClientRect();
        if (after === null && e.clientY < box.top + box.height / 2) {
          after = li;
        }
      });
      list.insertBefore(dragged, after);
    });
    list.addEventListener('drop', function (e) {
      if (!dragged || dragged.parentNode !== list) {
        return;
      }
      e.preventDefault();
      orderForm.textContent = '';
      document.querySelectorAll('[data-sortable] .issue-item').forEach(function (li) {
        var input = document.createElement('input');
        input.type = 'hidden';
        input.name = 'item';
        input.value = li.dataset.id;
        orderForm.appendChild(input);
      });
      orderForm.submit();
    });
  });
})();
