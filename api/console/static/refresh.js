// Reload a status page every 30 s while it is visible (the health board changes without any event).
const EVERY_MS = 30000;
setInterval(() => {
  if (document.visibilityState === "visible") location.reload();
}, EVERY_MS);
