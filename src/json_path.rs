//! Where in a JSON text a byte offset lies, as a path such as `layers[0].weights[0][1]`.
//!
//! `serde_json` says where an error happened as a line and column; a student needs the field.
//! Walking the text up to that offset and keeping a stack of the objects and arrays open
//! there gives it, with no wrapper around the deserializer (a wrapper such as
//! `serde_path_to_error` is compiled again for every type read, and weighed a tenth of the
//! wasm).

/// One open container on the way to the offset.
enum Open {
    /// An object, with the key whose value comes (or came) last, once read.
    Object(Option<String>),
    /// An array, with the index of the element being read.
    Array(usize),
}

/// The path at byte `offset` of `text`: each open object's last key and each open array's
/// index, outermost first (`""` at the top level). With `container_only`, the innermost
/// object's key is left out: an error about the object itself (a missing or unknown field)
/// names the object, not the field read last.
pub fn path_at(text: &str, offset: usize, container_only: bool) -> String {
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut stack: Vec<Open> = Vec::new();
    // In an object, a string is a key when it comes before the colon.
    let mut expecting_key = false;
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i = start;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if expecting_key {
                    if let Some(Open::Object(key)) = stack.last_mut() {
                        *key = Some(text.get(start..i.min(bytes.len())).unwrap_or("").to_string());
                    }
                    expecting_key = false;
                }
            }
            b'{' => {
                stack.push(Open::Object(None));
                expecting_key = true;
            }
            b'[' => stack.push(Open::Array(0)),
            b'}' | b']' => {
                stack.pop();
                expecting_key = false;
            }
            b',' => match stack.last_mut() {
                Some(Open::Array(index)) => *index += 1,
                Some(Open::Object(_)) => expecting_key = true,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    if container_only {
        if let Some(Open::Object(key)) = stack.last_mut() {
            *key = None;
        }
    }
    let mut path = String::new();
    for open in &stack {
        match open {
            Open::Object(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Open::Object(None) => {}
            Open::Array(index) => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

/// The byte offset of a 1-based `line` and a `column` counted in bytes from the line's start,
/// as `serde_json::Error` gives them.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    (line_start + column).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(text: &str, marker: &str) -> usize {
        text.find(marker).unwrap() + marker.len()
    }

    #[test]
    fn the_path_names_keys_and_indices() {
        let text = r#"{"inputs":2,"layers":[{"units":1},{"units":1,"activation":"sigmoidd"}]}"#;
        assert_eq!(path_at(text, after(text, "\"sigmoidd\""), false), "layers[1].activation");
        assert_eq!(path_at(text, after(text, "\"sigmoidd\""), true), "layers[1]");
        assert_eq!(path_at(text, after(text, "2"), false), "inputs");
        let nested = r#"{"layers":[{"weights":[[1, null]]}]}"#;
        assert_eq!(path_at(nested, after(nested, "null"), false), "layers[0].weights[0][1]");
        // A finished array is closed: its error names the field that holds it.
        assert_eq!(path_at(nested, after(nested, "]]"), false), "layers[0].weights");
        assert_eq!(path_at("3", 1, false), "");
    }

    #[test]
    fn strings_with_brackets_quotes_and_commas_are_skipped_whole() {
        let text = r#"{"name":"a,[\"{b","layers":[1,2,"x"]}"#;
        assert_eq!(path_at(text, after(text, "\"x\""), false), "layers[2]");
    }

    #[test]
    fn lines_and_columns_become_offsets() {
        let text = "{\n  \"a\": 1,\n  \"b\": x\n}";
        assert_eq!(offset_of(text, 1, 0), 0);
        assert_eq!(offset_of(text, 3, 8), text.find('x').unwrap() + 1);
        assert_eq!(path_at(text, offset_of(text, 3, 8), false), "b");
    }
}
