// A Wisp relay for the network tests: listens on 127.0.0.1 (port 0: any free one), prints
// "wisp-relay listening PORT", and exits when its stdin closes.
// Every stream the guest opens is dialled to 127.0.0.1 with the port the guest asked for, whatever
// address the guest named: the guest names the v86 router 192.168.86.1, which only exists inside
// v86, and the relay reaches nothing but this machine's loopback.
import http from "node:http";
import { server as wisp } from "@mercuryworkshop/wisp-js/server";
import { NodeTCPSocket } from "./node_modules/@mercuryworkshop/wisp-js/src/server/net.mjs";

class LoopbackTCPSocket extends NodeTCPSocket {
  constructor(hostname, port) {
    super("127.0.0.1", port);
    console.log(`wisp-relay stream to ${hostname}:${port} -> 127.0.0.1:${port}`);
  }
}

wisp.options.hostname_whitelist = [/^192\.168\.86\.1$/];
wisp.options.allow_private_ips = true;
wisp.options.allow_loopback_ips = true;
wisp.options.allow_udp_streams = false;

const server = http.createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end("wisp relay for tests\n");
});
server.on("upgrade", (req, socket, head) => wisp.routeRequest(req, socket, head, { TCPSocket: LoopbackTCPSocket }));
server.listen(0, "127.0.0.1", () => console.log(`wisp-relay listening ${server.address().port}`));
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
process.stdin.on("close", () => process.exit(0));
