// The live alert feed (实时预警推送) over the API's Server-Sent Events stream, resumed without loss or repeat.
//
// The page says from which event id it was rendered (`after`). The stream sends every later event in
// id order; the browser's EventSource reconnects on its own with `Last-Event-ID`. When the server
// refuses or the connection cannot be reopened (EventSource then gives up), a new one is opened with
// `?after=` the last id seen, after a growing pause. An id not above the last one seen is ignored, so
// a resumed stream never delivers an event twice.

const ACTIONS = ["created", "updated", "acknowledged", "dispatched", "closed", "handed_over"];

export function followAlerts({ after, onEvent, onState, url = "/alerts/stream" }) {
  let last = Number(after) || 0;
  let pause = 1000;
  let source = null;

  function receive(message) {
    const id = Number(message.lastEventId);
    if (!(id > last)) return;
    last = id;
    onEvent(JSON.parse(message.data));
  }

  function open() {
    source = new EventSource(`${url}?after=${last}`);
    source.onopen = () => {
      pause = 1000;
      onState("open");
    };
    source.onerror = () => {
      onState("retrying");
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(reopen, pause);
        pause = Math.min(pause * 2, 30000);
      }
    };
    for (const action of ACTIONS) source.addEventListener(action, receive);
  }

  async function reopen() {
    // A stream refused because the sign-in ended: go to the sign-in page instead of retrying forever.
    const probe = await fetch(location.pathname, { method: "GET", redirect: "manual" }).catch(() => null);
    if (probe && probe.type === "opaqueredirect") {
      location.assign(`/?next=${encodeURIComponent(location.pathname + location.search)}`);
      return;
    }
    open();
  }

  open();
  return { lastEventId: () => last, close: () => source && source.close() };
}
