// "Files → /data": a button with a file picker, and files dropped on the terminal, both handed
// to the engine's copy function. Shared by the engines, which copy in their own way.

/**
 * @param button  (id, label, onClick) → the button element, from the engine's status line
 * @param copy    async (File[]) → copies the files into the guest's /data
 * @param failed  (Error) → reports a failed copy
 */
export function acceptDroppedFiles(button, copy, failed) {
  const picker = document.createElement("input");
  picker.type = "file";
  picker.multiple = true;
  picker.hidden = true;
  picker.id = "data-files";
  picker.addEventListener("change", () => copy(Array.from(picker.files)).catch(failed).finally(() => (picker.value = "")));
  document.body.append(picker);
  button("data-upload", "Files → /data", () => picker.click()).title =
    "Copy files from this computer into /data (or drop them on the terminal)";
  const target = document.getElementById("terminal");
  const stop = (e) => {
    e.preventDefault();
    e.stopPropagation();
  };
  for (const type of ["dragenter", "dragover", "dragleave"]) target.addEventListener(type, stop);
  target.addEventListener("drop", (e) => {
    stop(e);
    copy(Array.from(e.dataTransfer.files)).catch(failed);
  });
}
