//! Any bytes as a CSV file: reading either gives valid points or names the fault.
#![no_main]
use backprop_viz::csv::{parse, write, CsvOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match parse(text, &CsvOptions::default()) {
        Ok(data) => {
            let again = parse(&write(&data.points, &data.headers), &CsvOptions::default()).expect("written CSV reads back");
            assert_eq!(again.points.coords, data.points.coords);
        }
        Err(e) => assert!(e.to_string().starts_with("invalid data: ")),
    }
});
