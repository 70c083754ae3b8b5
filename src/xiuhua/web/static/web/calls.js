/* Call-taking pages (接听登记, 上级交办): keyboard first, for an operator on a headset.
 *
 * - Address and class are comboboxes (ARIA): type, ↓/↑ to move through the suggestions, Enter to take one,
 *   Esc to close. Address suggestions come from the house-number and road tables; class suggestions are the
 *   classifier's top three for the description, then catalogue matches for what was typed.
 * - A chosen address moves the map pin; dragging the pin (mouse) sets the point too.
 * - Class and point known → the possible duplicates are fetched (an htmx partial).
 * - Ctrl+Enter saves from anywhere in the form. The call form saves by fetch and stays on the page: the result
 *   is announced, the form is cleared and the focus goes back to the caller number for the next call.
 */
(function () {
  "use strict";

  const form = document.querySelector("[data-call-form]");
  if (!form) return;
  const takesCalls = !form.hasAttribute("data-assign-form");
  const $ = (selector) => form.querySelector(selector);
  const lngInput = $("[data-lng]"), latInput = $("[data-lat]");
  const classCode = $("[data-class-code]"), classKind = $("[data-class-kind]");
  const classInput = $("#call-class"), classText = $("[data-class-text]");
  const chosen = $("[data-class-chosen]");
  let pointFrom = lngInput.value ? "form" : "";

  function debounce(fn, ms) {
    let timer = null;
    return function () {
      const args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  async function getJson(url, params) {
    const response = await fetch(url + "?" + new URLSearchParams(params), {headers: {Accept: "application/json"}});
    const body = await response.json();
    if (!response.ok) throw new Error(body.detail || String(response.status));
    return body;
  }

  /* ------------------------------------------------------------------ combobox */

  /* A suggestion list always answers what is in the box now. While the typed text has no answer yet (the
   * 200 ms pause after typing, then the request) the list is marked busy (aria-busy, data-for = the text it
   * answers) and shows no selection; ↓/↑ and Enter pressed then are kept and applied to the fresh answer, so an
   * operator who types and presses ↓ Enter at once takes the first suggestion for what they typed, never one
   * left over from half of it — however slow the server or the machine. */
  function combobox(input, list, options) {
    let items = [], active = -1, ticket = 0;
    let answered = null;  // the text the shown items answer (null: none yet)
    let queuedMove = 0, queuedPick = false;

    const busy = () => answered !== input.value.trim();

    function markBusy() {
      list.setAttribute("aria-busy", busy() ? "true" : "false");
      list.dataset.for = answered === null ? "" : answered;
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
      queuedMove = 0;
      queuedPick = false;
    }

    function render() {
      list.replaceChildren();
      if (!items.length) {
        const none = document.createElement("li");
        none.className = "list-group-item small text-body-secondary";
        none.textContent = form.dataset.tNoMatch;
        list.append(none);
      }
      items.forEach(function (item, index) {
        const li = document.createElement("li");
        li.id = list.id + "-" + index;
        li.className = "list-group-item list-group-item-action combo-option";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", index === active ? "true" : "false");
        if (index === active) li.classList.add("active");
        const main = document.createElement("span");
        main.textContent = options.label(item);
        li.append(main);
        const extra = options.detail ? options.detail(item) : "";
        if (extra) {
          const small = document.createElement("small");
          small.className = "ms-2 opacity-75";
          small.textContent = extra;
          li.append(small);
        }
        li.dataset.testid = "suggestion";
        li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(index); });
        list.append(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (active >= 0) input.setAttribute("aria-activedescendant", list.id + "-" + active);
      else input.removeAttribute("aria-activedescendant");
      markBusy();
    }

    async function refresh() {
      const mine = ++ticket;
      const text = input.value.trim();
      let found = [];
      try {
        found = await options.fetch(text);
      } catch (error) {
        found = [];
      }
      if (mine !== ticket || document.activeElement !== input) return;
      if (text !== input.value.trim()) return;  // typed on meanwhile: its own refresh is on the way
      items = found;
      answered = text;
      active = -1;
      if (items.length || text) render(); else { close(); markBusy(); }
      const step = queuedMove, thenPick = queuedPick;
      queuedMove = 0;
      queuedPick = false;
      if (step) move(step);
      if (thenPick && active >= 0) pick(active);
    }

    function pick(index) {
      const item = items[index];
      close();
      if (item) options.pick(item);
      markBusy();  // the box now holds the picked label, which no list answers
    }

    function move(step) {
      if (busy()) { queuedMove += step; askNow(); return; }  // applied to the answer for what is typed
      if (list.hidden) { queuedMove += step; refresh(); return; }
      if (!items.length) return;
      active = (active + step + items.length) % items.length;
      render();
      const option = document.getElementById(list.id + "-" + active);
      if (option) option.scrollIntoView({block: "nearest"});
    }

    let timer = null;
    function later() { clearTimeout(timer); timer = setTimeout(function () { timer = null; refresh(); }, 200); }
    function askNow() { clearTimeout(timer); timer = null; refresh(); }  // no need to wait for the typing pause

    input.addEventListener("input", function () {
      if (options.edited) options.edited();
      if (active >= 0) { active = -1; if (!list.hidden) render(); }  // a selection in the old answer is void
      markBusy();
      later();
    });
    if (options.onFocus) input.addEventListener("focus", refresh);
    input.addEventListener("blur", function () { ticket++; clearTimeout(timer); timer = null; close(); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); move(1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); move(-1); }
      else if (event.key === "Escape" && !list.hidden) { event.preventDefault(); close(); }
      else if (event.key === "Enter" && !event.ctrlKey) {
        event.preventDefault();  // Enter never submits from a combobox: Ctrl+Enter does
        if (busy() && queuedMove) queuedPick = true;  // ↓ Enter typed ahead of the answer
        else if (!list.hidden && active >= 0) pick(active);
      }
    });
    markBusy();
    return {close: close};
  }

  /* ------------------------------------------------------------------ map and pin */

  const mapElement = document.getElementById("call-map");
  const pinNote = document.querySelector("[data-pin-note]");
  let map = null, pin = null;
  if (mapElement && window.L) {
    const settings = JSON.parse(document.getElementById(mapElement.dataset.mapOptions).textContent);
    map = L.map(mapElement, {attributionControl: false, zoomSnap: 0.5});
    if (settings.tiles) L.tileLayer(settings.tiles, {maxZoom: 19}).addTo(map);
    const b = settings.bounds || [120.85, 30.45, 121.0, 30.6];
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    const grids = L.geoJSON(null, {style: {color: "#7189a3", weight: 0.7, fillColor: "#dbe5ef", fillOpacity: 0.45}}).addTo(map);
    pin = L.marker(map.getCenter(), {draggable: true, autoPan: true, keyboard: false}).addTo(map);
    const loadGrids = debounce(async function () {
      if (map.getZoom() < settings.gridMinZoom) { grids.clearLayers(); return; }
      const v = map.getBounds();
      const bbox = [v.getWest(), v.getSouth(), v.getEast(), v.getNorth()].map(function (x) { return x.toFixed(6); }).join(",");
      try {
        const data = await getJson(settings.urls.grids, {bbox: bbox, zoom: Math.floor(map.getZoom())});
        grids.clearLayers();
        grids.addData(data);
      } catch (error) { /* the pin works on the plain background */ }
    }, 250);
    map.on("moveend", loadGrids);
    pin.on("dragend", function () {
      const at = pin.getLatLng();
      setPoint(at.lng, at.lat, "pin");
    });
  }

  function setPoint(lng, lat, from) {
    lngInput.value = lng.toFixed(7);
    latInput.value = lat.toFixed(7);
    pointFrom = from;
    if (pin) {
      pin.setLatLng([lat, lng]);
      if (from !== "pin") map.setView([lat, lng], Math.max(map.getZoom(), 17));
    }
    if (pinNote) pinNote.textContent = lng.toFixed(6) + ", " + lat.toFixed(6);
    refreshDuplicates();
  }

  function clearPoint() {
    lngInput.value = latInput.value = "";
    pointFrom = "";
    refreshDuplicates();
  }

  /* ------------------------------------------------------------------ address, class, duplicates */

  const addressInput = $("#call-address");
  combobox(addressInput, $("#call-address-list"), {
    fetch: function (text) {
      if (!text) return Promise.resolve([]);
      return getJson(form.dataset.addressesUrl, {q: text}).then(function (body) { return body.items; });
    },
    label: function (item) { return item.label; },
    pick: function (item) {
      addressInput.value = item.label.replace(/（.*）$/, "");
      setPoint(item.lng, item.lat, "address");
    },
    edited: function () { if (pointFrom === "address") clearPoint(); },
  });

  function classLabel(item) { return item.code + " " + item.name + "（" + item.kind_label + "）"; }

  combobox(classInput, $("#call-class-list"), {
    onFocus: true,
    fetch: function (text) {
      const description = classText.value.trim().slice(0, 2000);
      if (!text && !description) return Promise.resolve([]);
      if (classCode.value && text === classInput.dataset.chosenLabel) text = "";
      return getJson(form.dataset.classesUrl, {q: text.slice(0, 60), text: description}).then(function (body) { return body.items; });
    },
    label: classLabel,
    detail: function (item) {
      return item.confidence != null ? form.dataset.tSuggested + " " + Math.round(item.confidence * 100) + "%" : item.major;
    },
    pick: function (item) {
      classCode.value = item.code;
      classKind.value = item.kind;
      classInput.value = classInput.dataset.chosenLabel = classLabel(item);
      chosen.textContent = "✓ " + classLabel(item);
      refreshDuplicates();
    },
    edited: function () {
      if (classCode.value) {
        classCode.value = classKind.value = "";
        chosen.textContent = "";
        refreshDuplicates();
      }
    },
  });

  const duplicates = document.getElementById("call-duplicates");
  function refreshDuplicates() {
    if (!duplicates || !window.htmx) return;
    const params = new URLSearchParams({class_code: classCode.value, kind: classKind.value, lng: lngInput.value, lat: latInput.value});
    htmx.ajax("GET", form.dataset.duplicatesUrl + "?" + params, {target: duplicates, swap: "innerHTML"});
  }

  /* ------------------------------------------------------------------ saving */

  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  if (!takesCalls) return;

  const answerFields = $("[data-answer-fields]");
  function showAnswer() {
    const consultation = $("input[name=order_type]:checked").value === "consultation";
    answerFields.hidden = !consultation;
    if (!consultation) $("#call-answered").checked = false;
  }
  form.querySelectorAll("input[name=order_type]").forEach(function (radio) { radio.addEventListener("change", showAnswer); });

  const saved = document.querySelector("[data-testid=call-saved]");
  const failed = document.querySelector("[data-testid=call-error]");
  const phone = $("#call-phone");
  const history = document.getElementById("caller-history");
  const blankHistory = history.innerHTML, blankDuplicates = duplicates.innerHTML;
  // An operator may start typing the caller number before htmx has bound its lookup (the field has autofocus):
  // look the number up once htmx is ready, so nothing typed that early goes unanswered.
  if (window.htmx) htmx.onLoad(function (element) { if (element === document.body && phone.value) htmx.trigger(phone, "search"); });
  let saving = false;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function announce(body) {
    let text = fill(form.dataset[body.created ? "tSaved" : "tSavedAgain"], {order: body.order_number});
    if (body.case_number) {
      text += " " + fill(form.dataset.tCase, {case: body.case_number, department: body.department || form.dataset.tNoUnit});
    } else if (body.state === "answered") {
      text += " " + form.dataset.tAnswered;
    } else {
      text += " " + form.dataset.tAwaiting;
    }
    saved.textContent = text;
    if (body.case_url) {
      const link = document.createElement("a");
      link.href = body.case_url;
      link.className = "ms-2";
      link.tabIndex = -1;
      link.dataset.testid = "saved-case-link";
      link.textContent = body.case_number;
      saved.append(link);
    }
    saved.dataset.case = body.case_number || "";
    saved.dataset.order = body.order_number;
    saved.hidden = false;
  }

  function resetForm(nextNumber) {
    const hotline = $("input[name=hotline]:checked").value;
    form.reset();
    $("input[name=hotline][value='" + hotline + "']").checked = true;  // the operator stays on the same line
    $("#call-order-number").value = nextNumber;
    lngInput.value = latInput.value = classCode.value = classKind.value = "";
    classInput.dataset.chosenLabel = "";
    chosen.textContent = "";
    pointFrom = "";
    showAnswer();
    history.innerHTML = blankHistory;
    duplicates.innerHTML = blankDuplicates;
    phone.focus();
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (saving) return;  // a second Ctrl+Enter while the first is on its way
    saving = true;
    failed.hidden = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: {Accept: "application/json", "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value},
      });
      const body = await response.json();
      if (!response.ok) {
        failed.textContent = body.detail;
        failed.hidden = false;
        saved.hidden = true;
        const byName = {class_code: "#call-class", kind: "#call-class", lng: "#call-address", lat: "#call-address"};
        const field = body.field && form.querySelector(byName[body.field] || "[name=" + body.field + "]:not([type=hidden])");
        (field || $("#call-content")).focus();
        return;
      }
      announce(body);
      resetForm(body.next_order_number);
    } catch (error) {
      failed.textContent = form.dataset.tFailed;
      failed.hidden = false;
    } finally {
      saving = false;
    }
  });
  showAnswer();
})();
