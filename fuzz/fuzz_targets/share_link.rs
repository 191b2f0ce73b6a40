//! Any bytes as a link's query string: decoding always gives a working session.
#![no_main]
use backprop_viz::share::{decode, encode, Extras};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|query: &str| {
    let decoded = decode(query);
    decoded.settings.network.validate().expect("a decoded link holds a working network");
    // What a link decodes to, encoded again, decodes to the same session.
    assert_eq!(decode(&encode(&decoded.settings, &Extras::default())).settings, decoded.settings);
});
