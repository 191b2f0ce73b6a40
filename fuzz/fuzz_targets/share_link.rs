//! Any bytes as a link's query string: decoding always gives settings that build a working
//! session ("decoded ⇒ builds"), and encoding them again gives the same settings.
#![no_main]
use backprop_viz::session::Session;
use backprop_viz::share::{decode, encode, Extras};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|query: &str| {
    let decoded = decode(query);
    decoded.settings.network.validate().expect("a decoded link holds a working network");
    if let Err(e) = Session::from_link_settings(decoded.settings.clone(), &mut Vec::new()) {
        panic!("a decoded link does not build: {e}");
    }
    // What a link decodes to, encoded again, decodes to the same session.
    assert_eq!(decode(&encode(&decoded.settings, &Extras::default())).settings, decoded.settings);
});
