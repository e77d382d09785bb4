// The operator's alert wall (预警值守台): live cards, the critical counter and sound, keyboard handling.
import { followAlerts } from "./alert_stream.js";
import { postForm } from "./forms.js";

const wall = document.getElementById("wall");
const counter = document.getElementById("critical-counter");
const status = document.getElementById("stream-status");
const soundToggle = document.getElementById("sound-toggle");
const firstPage = wall.dataset.firstPage === "true";
const filters = new URLSearchParams(location.search);
const openCritical = new Set(JSON.parse(document.getElementById("open-critical").textContent));
const STATUS_TEXT = { open: "实时推送已连接", retrying: "实时推送重连中…" };

// --- critical counter and sound -------------------------------------------------------------
let muted = localStorage.getItem("wall-muted") === "true";
let audio = null;

function showSound() {
  soundToggle.textContent = muted ? "声音：关" : "声音：开";
  soundToggle.setAttribute("aria-pressed", String(!muted));
}

function beep() {
  if (muted) return;
  audio = audio || new AudioContext();
  const tone = audio.createOscillator();
  const gain = audio.createGain();
  tone.frequency.value = 880;
  gain.gain.setValueAtTime(0.25, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
  tone.connect(gain).connect(audio.destination);
  tone.start();
  tone.stop(audio.currentTime + 0.6);
}

function countCritical(alert) {
  const open = alert.severity === "critical" && alert.state === "open";
  if (open) openCritical.add(alert.id);
  else openCritical.delete(alert.id);
  counter.querySelector("strong").textContent = String(openCritical.size);
  counter.classList.toggle("alarm", openCritical.size > 0);
}

soundToggle.addEventListener("click", () => {
  muted = !muted;
  localStorage.setItem("wall-muted", String(muted));
  showSound();
  if (!muted) (audio = audio || new AudioContext()).resume();
});
showSound();

// --- cards -----------------------------------------------------------------------------------
function matchesFilters(alert) {
  const equal = { site: "site_id", camera: "camera_id", kind: "kind", severity: "severity", state: "state" };
  for (const [param, field] of Object.entries(equal)) {
    if (filters.get(param) && filters.get(param) !== alert[field]) return false;
  }
  const started = Date.parse(alert.started_at);
  if (filters.get("start") && started < Date.parse(`${filters.get("start")}+08:00`)) return false;
  if (filters.get("end") && started >= Date.parse(`${filters.get("end")}+08:00`)) return false;
  return true;
}

async function showCard(alert) {
  const existing = wall.querySelector(`[data-alert-id="${alert.id}"]`);
  const wanted = matchesFilters(alert);
  if (!existing && !(wanted && firstPage)) return;
  if (existing && !wanted) return existing.remove();
  const response = await fetch(`/console/alerts/${alert.id}/card`);
  if (!response.ok) return;
  const template = document.createElement("template");
  template.innerHTML = (await response.text()).trim();
  const card = template.content.firstElementChild;
  card.classList.add("fresh");
  const current = wall.querySelector(`[data-alert-id="${alert.id}"]`);
  if (current) current.replaceWith(card);
  else wall.prepend(card);
  document.getElementById("wall-empty")?.remove();
}

// Events are applied one at a time, in stream order, so a slower card fetch cannot reorder the wall.
let queue = Promise.resolve();
followAlerts({
  after: wall.dataset.after,
  onState: (state) => {
    status.dataset.state = state;
    status.textContent = STATUS_TEXT[state];
  },
  onEvent: (event) => {
    wall.dataset.lastEvent = String(event.event_id);
    countCritical(event.alert);
    if (event.action === "created" && event.alert.severity === "critical") beep();
    queue = queue.then(() => showCard(event.alert)).catch(() => {});
  },
});

// --- keyboard: J/K or arrows to move, A to acknowledge, Enter to open --------------------------
function cards() {
  return [...wall.querySelectorAll(".card")];
}

function select(step) {
  const all = cards();
  const index = all.indexOf(document.activeElement.closest?.(".card"));
  const next = all[Math.max(0, Math.min(all.length - 1, index + step))];
  next?.focus();
}

document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, select, textarea") || event.ctrlKey || event.metaKey || event.altKey) return;
  const card = document.activeElement.closest?.(".card");
  if (event.key === "j" || event.key === "ArrowDown") select(1);
  else if (event.key === "k" || event.key === "ArrowUp") select(-1);
  else if (event.key === "Enter" && card) location.assign(`/console/alerts/${card.dataset.alertId}`);
  else if (event.key === "a" && card) card.querySelector("form.acknowledge")?.requestSubmit();
  else return;
  event.preventDefault();
});

// Acknowledging from the wall stays on the wall: the stream brings the card's new state.
wall.addEventListener("submit", async (event) => {
  const form = event.target.closest("form.acknowledge");
  if (!form) return;
  event.preventDefault();
  const card = form.closest(".card");
  await postForm(form);
  card.focus();
});
