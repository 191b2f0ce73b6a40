// Downloads and file reading: a Blob with an object URL for saving, File.text() for loading
// (after the file's size has been checked against the engine's limit).

/** Saves `content` (a string or a Blob) as a file called `name`. */
export function download(name, content, type = 'text/plain') {
  const blob = content instanceof Blob ? content : new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Saves a canvas as a PNG file. */
export function downloadCanvas(canvas, name) {
  canvas.toBlob((blob) => { if (blob) download(name, blob); }, 'image/png');
}

/** Bytes as people read them: "50.0 MB", "16 MiB" for a power of two. */
function sizeText(bytes) {
  const mib = bytes / 1048576;
  if (Number.isInteger(mib)) return `${mib} MiB`;
  return mib >= 1 ? `${mib.toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** The file chosen in an <input type=file>, or null. A file larger than `maxBytes` is refused
 *  by its size before anything reads it (an Error of kind `limit` naming the limit), so that a
 *  huge file never becomes a string, nor a copy in wasm memory. `what` names it ("a CSV file"). */
export function chosenFile(input, maxBytes, what) {
  const file = input.files?.[0];
  if (!file) return null;
  if (file.size > maxBytes) {
    const error = new Error(`The file ${file.name} is ${sizeText(file.size)}: ${what} may be at most ${sizeText(maxBytes)}`);
    error.kind = 'limit';
    throw error;
  }
  return file;
}

/** The text of the file chosen in an <input type=file> ({name, text}), or null; refused by its
 *  size first, as `chosenFile`. */
export async function chosenText(input, maxBytes, what) {
  const file = chosenFile(input, maxBytes, what);
  if (!file) return null;
  return { name: file.name, text: await file.text() };
}
