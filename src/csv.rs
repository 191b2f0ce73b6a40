//! Data sets as CSV: numbers only, comma-separated, one point per line, with or without a
//! header line, one column holding the label.
//!
//! Reading checks everything and names the line and the problem of the first fault; nothing
//! is returned from a bad file. The label decides the task unless one is asked for: whole
//! numbers 0 … k−1 (k ≤ `CSV_AUTO_MAX_CLASSES`, 8) or −1/+1 make a classification, anything else a
//! regression; asked for, a classification may have up to `MAX_OUTPUTS` classes.

use crate::config::{CSV_AUTO_MAX_CLASSES, MAX_INPUTS, MAX_OUTPUTS, MAX_SAMPLES};
use crate::error::{clip, Error, Result};
use crate::points::Points;
use serde::{Deserialize, Serialize};

/// Larger files are refused before reading (100,000 rows of 9 numbers fit easily; the 1,797
/// digits as 65 columns take about 0.3 MB).
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    #[default]
    Auto,
    Classification,
    Regression,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CsvOptions {
    /// Whether the first line is a header; `None` guesses (a header has a field that is not a number).
    pub header: Option<bool>,
    /// The label's column (0-based); `None` means the last.
    pub label_column: Option<usize>,
    pub task: Task,
}

/// A parsed file: column names and the points.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvData {
    /// The input columns' names (from the header, or x1, x2, …) then the label's.
    pub headers: Vec<String>,
    pub points: Points,
}

fn fault(line: usize, why: String) -> Error {
    Error::InvalidData(format!("line {line}: {why}"))
}

/// Spaces and byte-order marks around a field are not part of it.
fn trim(field: &str) -> String {
    field.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').to_string()
}

/// Splits one line into fields; double quotes may enclose a field ("" is a quote inside one).
fn fields(line: &str, number: usize) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if trim(&field).is_empty() => {
                field.clear();
                quoted = true;
            }
            (',', false) => out.push(trim(&std::mem::take(&mut field))),
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return Err(fault(number, "a quoted field is not closed".into()));
    }
    out.push(trim(&field));
    Ok(out)
}

fn number(field: &str, line: usize, column: usize) -> Result<f64> {
    if field.is_empty() {
        return Err(fault(line, format!("column {} is empty", column + 1)));
    }
    match field.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => {
            Err(fault(line, format!("column {} is \"{}\", which is not a finite number", column + 1, clip(field))))
        }
        Err(_) => Err(fault(line, format!("column {} is \"{}\", which is not a number", column + 1, clip(field)))),
    }
}

/// The lines of a text whose lines end in LF, CRLF or a lone CR (old Mac files), or mixed.
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').flat_map(|line| line.strip_suffix('\r').unwrap_or(line).split('\r'))
}

/// Reads a CSV file into points.
pub fn parse(text: &str, options: &CsvOptions) -> Result<CsvData> {
    if text.len() > MAX_FILE_BYTES {
        return Err(Error::InvalidData(format!(
            "the file is {} bytes, more than the limit of {MAX_FILE_BYTES}",
            text.len()
        )));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = split_lines(text).enumerate().map(|(i, l)| (i + 1, l)).filter(|(_, l)| !l.trim().is_empty());
    let Some((first_number, first_line)) = lines.next() else {
        return Err(Error::InvalidData("the file is empty".into()));
    };
    let first = fields(first_line, first_number)?;
    let columns = first.len();
    if !(2..=MAX_INPUTS + 1).contains(&columns) {
        return Err(fault(
            first_number,
            format!("{columns} column(s): a data set needs 1 to {MAX_INPUTS} input columns and a label column"),
        ));
    }
    let label = options.label_column.unwrap_or(columns - 1);
    if label >= columns {
        return Err(Error::InvalidData(format!(
            "there is no column {} to take the label from (the file has {columns})",
            label + 1
        )));
    }
    let has_header = options.header.unwrap_or_else(|| first.iter().any(|f| f.parse::<f64>().is_err()));
    let mut coords = Vec::new();
    let mut labels = Vec::new();
    let mut add_row = |number: usize, row: Vec<String>| -> Result<()> {
        if row.len() != columns {
            return Err(fault(number, format!("{} fields, but the first line has {columns}", row.len())));
        }
        if labels.len() == MAX_SAMPLES {
            return Err(fault(number, format!("more than the limit of {MAX_SAMPLES} points")));
        }
        for (c, field) in row.iter().enumerate() {
            let x = self::number(field, number, c)?;
            if c == label {
                labels.push(x);
            } else {
                coords.push(x);
            }
        }
        Ok(())
    };
    let headers: Vec<String> = if has_header {
        first.clone()
    } else {
        add_row(first_number, first)?;
        (0..columns)
            .map(|c| if c == label { "label".to_string() } else { format!("x{}", c + 1 - usize::from(c > label)) })
            .collect()
    };
    for (number, line) in lines {
        add_row(number, fields(line, number)?)?;
    }
    if labels.is_empty() {
        return Err(Error::InvalidData("the file has a header but no data lines".into()));
    }
    let (labels, classes) = decide_task(labels, options.task)?;
    let mut names: Vec<String> =
        headers.iter().enumerate().filter(|(c, _)| *c != label).map(|(_, h)| h.clone()).collect();
    names.push(headers[label].clone());
    Ok(CsvData { headers: names, points: Points::new(columns - 1, coords, labels, classes)? })
}

/// Chooses classification or regression from the labels; maps −1/+1 labels to classes 0/1.
fn decide_task(labels: Vec<f64>, task: Task) -> Result<(Vec<f64>, usize)> {
    let whole = labels.iter().all(|l| l.fract() == 0.0);
    let plus_minus_one = labels.iter().all(|&l| l == -1.0 || l == 1.0);
    let max = labels.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let classes_below = |limit: usize| whole && labels.iter().all(|&l| l >= 0.0) && max >= 1.0 && max < limit as f64;
    match task {
        Task::Regression => Ok((labels, 0)),
        _ if plus_minus_one => Ok((labels.iter().map(|&l| if l > 0.0 { 1.0 } else { 0.0 }).collect(), 2)),
        Task::Auto if classes_below(CSV_AUTO_MAX_CLASSES) => Ok((labels, max as usize + 1)),
        Task::Classification if classes_below(MAX_OUTPUTS) => Ok((labels, max as usize + 1)),
        Task::Auto => Ok((labels, 0)),
        Task::Classification => Err(Error::InvalidData(format!(
            "class labels must be whole numbers from 0 to {} (or −1 and 1)",
            MAX_OUTPUTS - 1
        ))),
    }
}

/// A header name as written: quoted when it holds a comma or a quote, and prefixed when it
/// would read as a number (a header of numbers would be read back as data).
fn header_field(name: &str) -> String {
    let name = if name.parse::<f64>().is_ok() || name.is_empty() { format!("column {name}") } else { name.to_string() };
    if name.contains([',', '"']) || name != trim(&name) {
        format!("\"{}\"", name.replace('"', "\"\""))
    } else {
        name
    }
}

/// Writes points as CSV with a header line; numbers in shortest round-trip form.
pub fn write(points: &Points, headers: &[String]) -> String {
    let mut out = headers.iter().map(|h| header_field(h)).collect::<Vec<_>>().join(",");
    out.push('\n');
    for p in 0..points.len() {
        for x in points.coord_row(p) {
            out.push_str(&format!("{x},"));
        }
        out.push_str(&format!("{}\n", points.labels[p]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<CsvData> {
        parse(text, &CsvOptions::default())
    }

    fn fails(text: &str, needle: &str) {
        let message = read(text).expect_err(needle).to_string();
        assert!(message.contains(needle), "{message:?} should contain {needle:?}");
    }

    #[test]
    fn reads_with_and_without_a_header() {
        let data = read("x,y,class\n0.5,-1,1\n2,3e-1,0\n").unwrap();
        assert_eq!(data.headers, ["x", "y", "class"]);
        assert_eq!(data.points.coords, [0.5, -1.0, 2.0, 0.3]);
        assert_eq!((data.points.labels.clone(), data.points.classes), (vec![1.0, 0.0], 2));
        let data = read("\u{feff}1,2,0.25\r\n3,4,0.5\r\n\r\n").unwrap();
        assert_eq!(data.headers, ["x1", "x2", "label"]);
        assert_eq!(data.points.classes, 0, "fractional labels make a regression");
        let first = parse("7,0,1\n8,1,2\n", &CsvOptions { label_column: Some(0), ..Default::default() }).unwrap();
        assert_eq!(
            (first.points.labels.clone(), first.points.coords.clone()),
            (vec![7.0, 8.0], vec![0.0, 1.0, 1.0, 2.0])
        );
        assert_eq!(first.headers, ["x1", "x2", "label"]);
        let quoted = read("\"a, b\",\"say \"\"c\"\"\"\n1,2\n").unwrap();
        assert_eq!(quoted.headers, ["a, b", "say \"c\""]);
        assert_eq!(parse(&write(&quoted.points, &quoted.headers), &CsvOptions::default()).unwrap(), quoted);
    }

    #[test]
    fn labels_decide_the_task() {
        assert_eq!(read("1,-1\n2,1\n").unwrap().points.labels, [0.0, 1.0]);
        assert_eq!(read("1,0\n2,2\n3,1\n").unwrap().points.classes, 3);
        assert_eq!(read("1,0\n2,9\n").unwrap().points.classes, 0);
        let regression = CsvOptions { task: Task::Regression, ..Default::default() };
        assert_eq!(parse("1,0\n2,1\n", &regression).unwrap().points.classes, 0);
        let classification = CsvOptions { task: Task::Classification, ..Default::default() };
        assert!(parse("1,0.5\n2,1\n", &classification).unwrap_err().to_string().contains("whole numbers"));
        // Ten digit classes are a classification when asked for; left to guess, a regression.
        assert_eq!(parse("1,0\n2,9\n", &classification).unwrap().points.classes, 10);
        assert!(parse("1,0\n2,256\n", &classification).is_err());
        let wide = format!("{}0\n{}1\n", "0.5,".repeat(MAX_INPUTS), "1,".repeat(MAX_INPUTS));
        assert_eq!(read(&wide).unwrap().points.dims, MAX_INPUTS);
    }

    #[test]
    fn bad_files_name_the_line_and_the_problem() {
        fails("", "the file is empty");
        fails("\n\n", "the file is empty");
        fails("x,y\n", "no data lines");
        fails("1,2,3\n4,5\n", "line 2: 2 fields, but the first line has 3");
        fails("a,b\n1,2\n1,two\n", "line 3: column 2 is \"two\", which is not a number");
        fails("1,2\n3,\n", "line 2: column 2 is empty");
        fails("1,2\nNaN,1\n", "line 2: column 1 is \"NaN\", which is not a finite number");
        fails("1,2\n1e999,1\n", "not a finite number");
        fails("1\n2\n", "line 1: 1 column(s)");
        fails(&"1,".repeat(MAX_INPUTS + 1), "line 1: 258 column(s)");
        fails("1,\"2\n", "line 1: a quoted field is not closed");
        let options = CsvOptions { label_column: Some(5), ..Default::default() };
        assert!(parse("1,2\n", &options).unwrap_err().to_string().contains("no column 6"));
        let too_many = "1,0\n".repeat(MAX_SAMPLES + 1);
        fails(&too_many, &format!("line {}: more than the limit", MAX_SAMPLES + 1));
    }

    #[test]
    fn headers_that_look_like_numbers_still_read_back_as_headers() {
        // Found by the fuzzer: a byte-order mark after a blank line, and a forced numeric header.
        let data = read("\n\u{feff}.0,0\r\n \n2,00\n\n").unwrap();
        assert_eq!(data.points.coords, [0.0, 2.0], "the stray mark is not part of the field");
        let forced = parse("1,2\n3,0\n4,1\n", &CsvOptions { header: Some(true), ..Default::default() }).unwrap();
        let again = read(&write(&forced.points, &forced.headers)).unwrap();
        assert_eq!(
            (again.points, again.headers),
            (forced.points, vec!["column 1".to_string(), "column 2".to_string()])
        );
    }

    #[test]
    fn written_files_read_back_the_same() {
        let data = read("x,y,class\n0.1,-2.5,1\n1e-7,3,0\n").unwrap();
        let text = write(&data.points, &data.headers);
        assert_eq!(text, "x,y,class\n0.1,-2.5,1\n0.0000001,3,0\n");
        assert_eq!(read(&text).unwrap(), data);
    }
}
