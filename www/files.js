// Downloads and file reading: a Blob with an object URL for saving, File.text() for loading.

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

/** The text of the file chosen in an <input type=file>, or null. */
export async function chosenText(input) {
  const file = input.files?.[0];
  if (!file) return null;
  return { name: file.name, text: await file.text() };
}
