// The visitor's saved machines in IndexedDB: one database per site (its scope), one record per
// image (keyed by the image's sha256). A record is written in one put, so it is either the
// previous save or the new one, never a mix. Opening the store deletes the records of other
// images: a rebuilt image never runs on another image's writes, and their space is given back.
//
// record: { format: "webvm-machine/1", imageSha256, v86, memoryMiB, savedAt, screen, state: ArrayBuffer }

const DB_PREFIX = "webvm-v86:";
const STORE = "machines";
export const RECORD_FORMAT = "webvm-machine/1";

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error || new Error("IndexedDB request failed"));
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error || new DOMException("the transaction was aborted", "AbortError"));
    tx.onerror = () => reject(tx.error || new Error("IndexedDB transaction failed"));
  });
}

/** Opens the site's store; rejects when IndexedDB is unavailable (private mode, blocked site data). */
export async function openStore(imageSha256) {
  if (typeof indexedDB === "undefined" || !indexedDB) throw new Error("this browser offers no IndexedDB here");
  const name = DB_PREFIX + new URL(".", location.href).pathname;
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE);
  const db = await Promise.race([
    request(open),
    new Promise((_, reject) => setTimeout(() => reject(new Error("IndexedDB did not open within 10 s")), 10_000)),
  ]);
  // close when another tab of this site upgrades or deletes the database
  db.onversionchange = () => db.close();
  const store = {
    name,
    async load() {
      const tx = db.transaction(STORE, "readonly");
      return (await request(tx.objectStore(STORE).get(imageSha256))) || null;
    },
    /** Resolves once the record is on disk (transaction complete). */
    async save(record) {
      const tx = db.transaction(STORE, "readwrite", { durability: "strict" });
      tx.objectStore(STORE).put(record, imageSha256);
      if (tx.commit) tx.commit();
      await done(tx);
    },
    async remove() {
      const tx = db.transaction(STORE, "readwrite", { durability: "strict" });
      tx.objectStore(STORE).delete(imageSha256);
      await done(tx);
    },
    close() {
      db.close();
    },
    async dropOtherImages() {
      const tx = db.transaction(STORE, "readwrite");
      const os = tx.objectStore(STORE);
      const keys = await request(os.getAllKeys());
      for (const k of keys) if (k !== imageSha256) os.delete(k);
      await done(tx);
      return keys.filter((k) => k !== imageSha256).length;
    },
  };
  await store.dropOtherImages();
  return store;
}
