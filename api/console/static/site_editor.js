// The zone editor (区域绘制): click polygons and the count line onto a camera's picture, save as the next
// config version through the site registry API (PUT /sites/{id}), show a refusal on the zone it names.
//
// Coordinates are normalised to the picture (0–1, origin top-left), exactly as the vision pipeline
// reads them, rounded to 4 decimals (a tenth of a pixel on a 1080p picture).
import { csrfToken } from "./forms.js";

const SVG = "http://www.w3.org/2000/svg";
const KIND_NAMES = { forbidden: "禁采区", permitted: "采矿许可范围", landform: "地貌监测区", count_line: "运输计数线" };
const editor = document.getElementById("editor");
const drawing = document.getElementById("drawing");
const list = document.getElementById("zones");
const config = JSON.parse(document.getElementById("site-config").textContent);
const versions = JSON.parse(document.getElementById("site-versions").textContent);
const camera = config.cameras.find((c) => c.id === editor.dataset.cameraId);
const cameraIndex = config.cameras.indexOf(camera);
const $ = (id) => document.getElementById(id);

let draft = null; // {kind, points} while drawing
let invalid = null; // index of the zone the last refusal named
let invalidMessage = "";

function round(value) {
  return Math.round(Math.min(1, Math.max(0, value)) * 10000) / 10000;
}

function pointsOf(zone) {
  return zone.kind === "count_line" ? [zone.a, zone.b] : zone.polygon;
}

function svg(tag, attributes, title) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (title) {
    const caption = document.createElementNS(SVG, "title");
    caption.textContent = title;
    node.append(caption);
  }
  return node;
}

function outboundArrow([ax, ay], [bx, by]) {
  const length = Math.hypot(bx - ax, by - ay) || 1;
  const [nx, ny] = [-(by - ay) / length, (bx - ax) / length];
  const [mx, my] = [(ax + bx) / 2, (ay + by) / 2];
  const [hx, hy] = [((bx - ax) / length) * 0.017, ((by - ay) / length) * 0.017];
  return `${mx - hx},${my - hy} ${mx + nx * 0.05},${my + ny * 0.05} ${mx + hx},${my + hy}`;
}

function drawZone(zone, index) {
  const points = pointsOf(zone).map((p) => p.join(",")).join(" ");
  const bad = index === invalid ? " invalid" : "";
  if (zone.kind === "count_line") {
    drawing.append(svg("polyline", { class: `count-line${bad}`, points, "data-zone": index }, zone.name));
    drawing.append(svg("polygon", { class: "count-arrow", points: outboundArrow(zone.a, zone.b) }));
  } else {
    drawing.append(svg("polygon", { class: `zone ${zone.kind}${bad}`, points, "data-zone": index }, zone.name));
  }
}

function render() {
  drawing.replaceChildren();
  camera.zones.forEach(drawZone);
  if (draft) {
    const points = draft.points.map((p) => p.join(",")).join(" ");
    drawing.append(svg(draft.kind === "count_line" ? "polyline" : "polygon", { class: "draft", points }));
    for (const [x, y] of draft.points) drawing.append(svg("circle", { class: "vertex", cx: x, cy: y, r: 0.006 }));
  }
  renderList();
  renderTools();
}

function describe(zone) {
  if (zone.kind === "permitted") return `许可证 ${zone.permit_no}，${zone.valid_from} 至 ${zone.valid_to}`;
  if (zone.kind === "count_line") return "箭头方向为出场";
  return `${pointsOf(zone).length} 个顶点`;
}

function renderList() {
  list.replaceChildren();
  camera.zones.forEach((zone, index) => {
    const item = document.createElement("li");
    item.dataset.zone = String(index);
    if (index === invalid) item.classList.add("invalid");
    const title = document.createElement("strong");
    title.textContent = `${KIND_NAMES[zone.kind]}：${zone.name}`;
    const detail = document.createElement("div");
    detail.className = "hint";
    detail.textContent = describe(zone);
    item.append(title, detail);
    if (index === invalid) {
      const error = document.createElement("div");
      error.className = "field-error";
      error.textContent = invalidMessage;
      item.append(error);
    }
    if (editor.dataset.canEdit === "true") item.append(zoneButtons(zone, index));
    list.append(item);
  });
  if (!camera.zones.length) list.textContent = "尚未绘制区域";
}

function zoneButtons(zone, index) {
  const tools = document.createElement("div");
  tools.className = "tools";
  if (zone.kind === "count_line") tools.append(button("反转方向", () => ([zone.a, zone.b] = [zone.b, zone.a])));
  tools.append(button("删除", () => camera.zones.splice(index, 1)));
  return tools;
}

function button(text, action) {
  const node = document.createElement("button");
  node.type = "button";
  node.className = "quiet";
  node.textContent = text;
  node.addEventListener("click", () => {
    action();
    invalid = null;
    render();
  });
  return node;
}

function renderTools() {
  if (!$("start")) return;
  const drawingNow = draft !== null;
  $("start").disabled = drawingNow;
  $("finish").disabled = !drawingNow || draft.kind === "count_line" || draft.points.length < 3;
  $("undo").disabled = !drawingNow || draft.points.length === 0;
  $("cancel").disabled = !drawingNow;
  $("permit-fields").hidden = $("zone-kind").value !== "permitted";
}

function newZone() {
  const kind = draft.kind;
  const name = $("zone-name").value.trim() || `${KIND_NAMES[kind]}${camera.zones.length + 1}`;
  if (kind === "count_line") return { kind, name, a: draft.points[0], b: draft.points[1] };
  const zone = { kind, name, polygon: draft.points };
  if (kind === "permitted") {
    Object.assign(zone, { permit_no: $("permit-no").value.trim(), valid_from: $("valid-from").value, valid_to: $("valid-to").value });
  }
  return zone;
}

function finish() {
  camera.zones.push(newZone());
  draft = null;
  $("zone-name").value = "";
  render();
}

drawing.addEventListener("click", (event) => {
  if (!draft) return;
  const box = drawing.getBoundingClientRect();
  draft.points.push([round((event.clientX - box.left) / box.width), round((event.clientY - box.top) / box.height)]);
  if (draft.kind === "count_line" && draft.points.length === 2) finish();
  else render();
});

async function save() {
  const body = { ...config, version: config.version + 1 };
  const response = await fetch(`/sites/${encodeURIComponent(config.id)}`, {
    method: "PUT",
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrfToken() },
  });
  const answer = await response.json().catch(() => ({ detail: `保存失败（${response.status}）` }));
  if (!response.ok) return showRefusal(answer);
  $("save-error").hidden = true;
  $("save-notice").hidden = false;
  $("save-notice").textContent = `已保存为第 ${answer.version} 版，视频节点下次加载配置时生效`;
  setTimeout(() => location.reload(), 1500);
}

function showRefusal(problem) {
  const field = problem.errors?.[0]?.field ?? "";
  const match = field.match(new RegExp(`^cameras\\[${cameraIndex}\\]\\.zones\\[(\\d+)\\]`));
  invalid = match ? Number(match[1]) : null;
  invalidMessage = problem.errors?.[0]?.message ? `${field}：${problem.errors[0].message}` : "";
  $("save-notice").hidden = true;
  $("save-error").hidden = false;
  $("save-error").textContent = problem.detail;
  render();
}

if ($("start")) {
  $("zone-kind").addEventListener("change", renderTools);
  $("start").addEventListener("click", () => {
    draft = { kind: $("zone-kind").value, points: [] };
    render();
  });
  $("finish").addEventListener("click", finish);
  $("undo").addEventListener("click", () => {
    draft.points.pop();
    render();
  });
  $("cancel").addEventListener("click", () => {
    draft = null;
    render();
  });
  $("save").addEventListener("click", save);
  for (const load of document.querySelectorAll("[data-load-version]")) {
    load.addEventListener("click", () => {
      const old = versions[load.dataset.loadVersion].cameras.find((c) => c.id === camera.id);
      camera.zones = structuredClone(old ? old.zones : []);
      invalid = null;
      render();
    });
  }
}
render();
