// Test stub of CheerpX's ES module (cx.esm.js), served at cheerpxUrl by CheerpxEngineIT. It records
// every call in globalThis.cheerpxStub so the test can compare them with the site's webvm.json.
// API surface from CheerpX's public documentation and typings, not from its code:
//   https://cheerpx.io/docs/reference (CheerpX.Linux.create, run, setCustomConsole, registerCallback,
//     GitHubDevice, HttpBytesDevice, CloudDevice, IDBDevice, OverlayDevice, WebDevice, DataDevice)
//   https://cheerpx.io/docs/guides/File-System-support (mount types ext2/dir/devs/devpts/proc/sys)
//   index.d.ts of the npm package @leaningtech/cheerpx 1.3.9 (https://www.npmjs.com/package/@leaningtech/cheerpx)
//   https://github.com/leaningtech/webvm/blob/main/src/lib/WebVM.svelte and src/lib/network.js
//     (networkInterface {authKey, controlUrl, loginUrlCb, stateUpdateCb, netmapUpdateCb}, networkLogin)
const stub = (globalThis.cheerpxStub = {
  calls: [],
  devices: [],
  keys: [],
  callbacks: {},
  runs: [],
  files: {},
  console: null,
  networkInterface: null,
  exit(status) {
    const run = this.runs[this.runs.length - 1];
    if (run && !run.done) {
      run.done = true;
      run.resolve({ status });
    }
  },
  emit(name, value) {
    for (const cb of this.callbacks[name] || []) cb(value);
  },
  print(text) {
    this.console.write(new TextEncoder().encode(text), 1);
  },
});

function record(name, args) {
  stub.calls.push({ name, args: JSON.parse(JSON.stringify(args, (k, v) => (v instanceof Device ? v.describe() : typeof v === "function" ? "<function>" : v))) });
}

class Device {
  constructor(kind, props) {
    this.kind = kind;
    this.id = stub.devices.length;
    Object.assign(this, props);
    stub.devices.push(this.describe());
  }
  describe() {
    const { kind, id, url, name, src, idb } = this;
    return { kind, id, url, name, src: src && src.id, idb: idb && idb.id };
  }
  delete() {
    record("Device.delete", [this]);
  }
}

export class GitHubDevice extends Device {
  static async create(url) {
    record("GitHubDevice.create", [url]);
    // read what CheerpX's GitHub device reads first: the size, then the first chunk
    const meta = await fetch(url + ".meta");
    const first = await fetch(url + ".c000000.txt");
    const bytes = new Uint8Array(await first.arrayBuffer());
    const d = new Device("github", { url });
    stub.github = { meta: meta.status + " " + (await meta.text()), firstChunkStatus: first.status, firstChunkLength: bytes.length,
      firstChunkMagic: bytes.length > 1081 ? bytes[1080] | (bytes[1081] << 8) : -1 };
    return d;
  }
}
export class HttpBytesDevice extends Device {
  static async create(url) {
    record("HttpBytesDevice.create", [url]);
    return new Device("bytes", { url });
  }
}
export class CloudDevice extends Device {
  static async create(url) {
    record("CloudDevice.create", [url]);
    // lets the test exercise the page's fallback from WebSockets to HTTPS
    if (url.startsWith("wss://") && url.includes("fail-wss")) throw new Error("stub: WebSocket connection failed");
    return new Device("cloud", { url });
  }
}
export class IDBDevice extends Device {
  static async create(name) {
    record("IDBDevice.create", [name]);
    const d = new Device("idb", { name });
    d.reset = async () => record("IDBDevice.reset", [d]);
    return d;
  }
}
export class OverlayDevice extends Device {
  static async create(src, idb) {
    record("OverlayDevice.create", [src, idb]);
    return new Device("overlay", { src, idb });
  }
}
export class WebDevice extends Device {
  static async create(url) {
    record("WebDevice.create", [url]);
    return new Device("web", { url });
  }
}
export class DataDevice extends Device {
  static async create() {
    record("DataDevice.create", []);
    const d = new Device("data", {});
    d.writeFile = async (path, data) => {
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data);
      record("DataDevice.writeFile", [path, { type: typeof data === "string" ? "string" : data.constructor.name, length: bytes.length }]);
      stub.files[path] = new TextDecoder().decode(bytes);
    };
    return d;
  }
}

export class Linux {
  static async create(options) {
    record("Linux.create", [options]);
    stub.networkInterface = (options && options.networkInterface) || null;
    return new Linux();
  }
  async run(cmd, args, opts) {
    record("Linux.run", [cmd, args, opts]);
    return new Promise((resolve) => {
      stub.runs.push({ resolve, done: false });
      setTimeout(() => stub.print(`stub-cheerpx: running ${cmd} ${args.join(" ")} (run ${stub.runs.length})\r\nstub$ `), 0);
    });
  }
  setCustomConsole(write, cols, rows) {
    record("Linux.setCustomConsole", [typeof write, cols, rows]);
    stub.console = { write, cols, rows };
    return (code) => stub.keys.push(code);
  }
  setActivateConsole(fn) {
    record("Linux.setActivateConsole", [typeof fn]);
  }
  registerCallback(name, cb) {
    record("Linux.registerCallback", [name]);
    (stub.callbacks[name] ||= []).push(cb);
  }
  unregisterCallback(name) {
    record("Linux.unregisterCallback", [name]);
  }
  async networkLogin() {
    record("Linux.networkLogin", []);
    const ni = stub.networkInterface;
    if (ni && !ni.authKey) setTimeout(() => ni.loginUrlCb("https://login.tailscale.example/a/stub"), 0);
  }
  delete() {
    record("Linux.delete", []);
  }
}
