// Network of the v86 engine, as webvm.json's "network" asks:
//   absent or "none"   no network (the guest's card is there but nothing answers)
//   "fetch"            v86's fetch adapter: the guest's HTTP (port 80, or any URL through the
//                      proxy http://192.168.86.1/) becomes the browser's fetch(), so only what
//                      CORS lets this page read; no server needed
//   "wisp://…", "wisps://…"   a Wisp relay: full TCP, the relay dials out
//   "ws://…", "wss://…"       a relay of raw Ethernet frames (e.g. websockproxy)
// v86 answers DHCP itself for fetch and Wisp (guest 192.168.86.100/24, router and DNS
// 192.168.86.1); the boot kit's launcher loads the card's driver and runs udhcpc when the kernel
// command line says webvm.net=dhcp, or when the control channel says "net" after a restore.
//
// window.webvm.network: { mode, relay: "connecting"|"connected"|"refused"|null, message, guest }

const CARD = "ne2k"; // v86's default card, present in every state a build-time snapshot saved

/** The network webvm.json asks for: "none", "fetch" or a relay URL. */
export function networkMode(config) {
  const n = config.network;
  return typeof n === "string" && n !== "" ? n : "none";
}

/** v86 options for the network ({} for none). */
export function networkOptions(config) {
  const mode = networkMode(config);
  if (mode === "none") return {};
  // A restored state keeps the card's MAC address: a guest whose driver was loaded when the state
  // was saved (a machine kept by the page) goes on sending from, and filtering for, that address.
  return { net_device: { type: CARD, relay_url: mode }, preserve_mac_from_state_image: true };
}

/** What the kernel command line gets so that the launcher brings the card up at boot. */
export function networkCmdline(config) {
  return networkMode(config) === "none" ? "" : " webvm.net=dhcp";
}

/**
 * Reports the network on the status line and in window.webvm.network; checks that a relay
 * answers (a refusing relay is said on the page, the machine runs on without network); after a
 * restore asks the guest, through the control channel, to bring its card up.
 */
export function startNetwork(emulator, config, { restored }) {
  const mode = networkMode(config);
  if (mode === "none") return;
  const info = { mode, relay: null, message: "", guest: null };
  if (window.webvm) window.webvm.network = info;
  const el = statusElement();
  const show = (text, problem) => {
    info.message = text;
    el.textContent = text;
    el.classList.toggle("problem", !!problem);
    el.title = text;
  };
  show(mode === "fetch" ? "network: fetch (HTTP within CORS)" : `network: relay ${mode}`);

  if (mode !== "fetch") {
    info.relay = "connecting";
    probeRelay(mode).then(({ ok, reason }) => {
      info.relay = ok ? "connected" : "refused";
      if (ok) show(`network: relay ${mode} connected`);
      else {
        show(`network: the relay ${mode} cannot be reached (${reason}); the machine runs without network`, true);
        console.warn(`webvm: ${info.message}`);
      }
    });
  }

  if (restored) {
    // the snapshot was taken without a driver for the card: load it and ask for an address now
    let line = "";
    emulator.add_listener("serial1-output-byte", (byte) => {
      if (byte !== 10) {
        line = (line + String.fromCharCode(byte)).slice(-300);
        return;
      }
      const text = line.replace(/\r$/, "");
      line = "";
      if (text.startsWith("webvm:net ")) info.guest = text.slice("webvm:net ".length);
    });
    emulator.serial_send_bytes(1, new TextEncoder().encode("net\n"));
  }
}

/** Opens and closes one WebSocket to the relay: { ok, reason }. */
function probeRelay(url) {
  return new Promise((resolve) => {
    let ws;
    try {
      ws = new WebSocket(url.replace(/^wisp:/, "ws:").replace(/^wisps:/, "wss:"));
    } catch (e) {
      resolve({ ok: false, reason: e.message });
      return;
    }
    let done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        ws.close();
      } catch (_) {
        // already closed
      }
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: "no answer within 15 s" }), 15_000);
    ws.onopen = () => finish({ ok: true });
    // browsers tell scripts nothing more about a failed WebSocket
    ws.onerror = () => finish({ ok: false, reason: "connection refused, unreachable or not a WebSocket server" });
    ws.onclose = (e) => finish({ ok: false, reason: `closed with code ${e.code}` });
  });
}

function statusElement() {
  let el = document.getElementById("status-network");
  if (!el) {
    el = document.createElement("span");
    el.id = "status-network";
    const footer = document.getElementById("status");
    footer.insertBefore(el, document.getElementById("reset"));
  }
  return el;
}
