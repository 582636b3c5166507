// Cache-first for disk/ (Cache Storage), network for the rest; takes control at once.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (e) => {
  if (!new URL(e.request.url).pathname.includes("/disk/")) return;
  e.respondWith((async () => {
    const cache = await caches.open("disk-v1");
    const hit = await cache.match(e.request);
    if (hit) return hit;
    const r = await fetch(e.request);
    await cache.put(e.request, r.clone());
    return r;
  })());
});
