//! A measurement, not a test (timings flake on a shared machine): what undo costs.

use backprop_viz::session::Session;

/// The cost of saving a state for undo, against a training step, on the page's default network.
/// `cargo run --release --example undo_cost`
fn main() {
    use backprop_viz::undo::{Ring, Saved};
    use std::time::Instant;
    let time = |f: &mut dyn FnMut()| {
        let mut best = f64::INFINITY;
        for _ in 0..9 {
            let t = Instant::now();
            f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        best
    };
    const N: u32 = 20_000;
    let mut s = Session::new();
    s.train(3_000).unwrap();
    let mut trainer = s.trainer().clone();
    let step = time(&mut || {
        trainer.train(N).unwrap();
    }) / f64::from(N);
    let mut ring = Ring::default();
    let push = time(&mut || {
        for _ in 0..N {
            let saved = Saved::new(
                "a training step".into(),
                s.trainer().snapshot(),
                backprop_viz::undo::SavedHistory::Full(s.history().clone()),
                *s.position(),
                None,
            );
            ring.record(saved);
        }
    }) / f64::from(N);
    let snapshot = time(&mut || {
        for _ in 0..N {
            std::hint::black_box(s.trainer().snapshot());
        }
    }) / f64::from(N);
    // A frame's worth of bulk training: one saved state per call.
    const K: u32 = 100;
    let calls = N / K;
    let mut trainer = s.trainer().clone();
    let bulk_trainer = time(&mut || {
        for _ in 0..calls {
            trainer.train(K).unwrap();
        }
    }) / f64::from(calls);
    let bulk_session = time(&mut || {
        for _ in 0..calls {
            s.train(K).unwrap();
        }
    }) / f64::from(calls);
    eprintln!(
        "default network (2 -> 4 -> 4 -> 1, batch 10), {} KB saved: a training step {:.2} us; an undo push {:.2} us \
         ({:.1} steps; the snapshot alone {:.2} us); train({K}) {:.1} us on the trainer, {:.1} us on the session (+{:.1} %)",
        ring.bytes() / ring.len() / 1000,
        step * 1e6,
        push * 1e6,
        push / step,
        snapshot * 1e6,
        bulk_trainer * 1e6,
        bulk_session * 1e6,
        100.0 * (bulk_session / bulk_trainer - 1.0)
    );
}
