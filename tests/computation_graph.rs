//! The computation graph (`src/computation_graph.rs`) holds the engine's own numbers: for every
//! lesson network after a forward and backward pass, each node's value equals the engine's z, a,
//! x, y, weights and losses, each gradient the engine's δ, dL/da and δ·a_prev, and,
//! independently, a central finite difference of the sample's loss: for every weight and bias
//! by rerunning the network with that parameter moved, and for every other node of an unfolded
//! graph by re-evaluating the graph's own operations downstream of it.

use backprop_viz::activation::Activation;
use backprop_viz::computation_graph::{ComputationGraph, GradientSource, Node, NodeKind, MAX_UNFOLDED_NODES};
use backprop_viz::phase::Phase;
use backprop_viz::presets::lessons;
use backprop_viz::session::Session;
use backprop_viz::Network;

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * (1.0 + a.abs().max(b.abs()))
}

fn assert_close(what: &str, got: f64, want: f64, tolerance: f64) {
    assert!(close(got, want, tolerance), "{what}: {got} but expected {want}");
}

/// The lesson with every phase of its first step run but the update.
fn after_backward(id: &str) -> Session {
    let mut s = Session::new();
    s.load_lesson(id, None).unwrap_or_else(|e| panic!("{id}: {e}"));
    while s.trainer().next_phase() != Phase::Update {
        s.step_phase().unwrap();
    }
    s
}

fn value(node: &Node) -> f64 {
    node.value.unwrap_or_else(|| panic!("{} has no value", node.label))
}

fn gradient(node: &Node) -> f64 {
    node.gradient.unwrap_or_else(|| panic!("{} has no gradient", node.label))
}

/// Each node's value and gradient against the engine's arrays for `sample`.
fn check_against_engine(id: &str, network: &Network, graph: &ComputationGraph, sample: usize) {
    let last = network.layers.len() - 1;
    for node in &graph.nodes {
        let what = format!("{id}, sample {sample}, {} ({:?})", node.label, node.kind);
        let Some(place) = node.place else {
            continue;
        };
        if place.layer < 0 {
            assert_eq!(node.kind, NodeKind::Input);
            assert_eq!(value(node), network.batch_input[sample * network.inputs + place.neuron], "{what}");
            continue;
        }
        let l = place.layer as usize;
        let layer = &network.layers[l];
        let k = sample * layer.units + place.neuron;
        let delta = layer.delta[k];
        let a_prev = |i: usize| {
            if l == 0 {
                network.batch_input[sample * layer.inputs + i]
            } else {
                network.layers[l - 1].activations[sample * layer.inputs + i]
            }
        };
        match node.kind {
            NodeKind::Weight => {
                let i = place.input.unwrap();
                assert_eq!(value(node), layer.weights[place.neuron * layer.inputs + i], "{what}");
                assert_eq!(gradient(node), delta * a_prev(i), "{what}: δ·a_prev");
            }
            NodeKind::Bias => {
                assert_eq!(value(node), layer.biases[place.neuron], "{what}");
                assert_eq!(gradient(node), delta, "{what}: δ");
            }
            NodeKind::Multiply => {
                let i = place.input.unwrap();
                assert_eq!(value(node), layer.weights[place.neuron * layer.inputs + i] * a_prev(i), "{what}");
                assert_eq!(gradient(node), delta, "{what}: δ");
            }
            NodeKind::Add => {
                assert_eq!(value(node), layer.pre_activation[k], "{what}: z");
                assert_eq!(gradient(node), delta, "{what}: δ");
                assert_eq!(node.gradient_from, GradientSource::Engine { buffer: "delta" });
            }
            NodeKind::Activation | NodeKind::Neuron => {
                assert_eq!(value(node), layer.activations[k], "{what}: a");
                let grad_a = if l == last { network.grad_output[k] } else { layer.grad_activation[k] };
                assert_eq!(gradient(node), grad_a, "{what}: dL/da");
            }
            kind => panic!("{what}: a {kind:?} node has no place in the layer view"),
        }
    }
    let n_out = network.outputs();
    let of = |kind| graph.nodes.iter().filter(move |n| n.kind == kind);
    for (i, target) in of(NodeKind::Target).enumerate() {
        assert_eq!(value(target), network.batch_target[sample * n_out + i], "{id}: y");
        assert_eq!(target.gradient, None);
    }
    let root = of(NodeKind::SampleLoss).next().unwrap();
    assert_eq!(value(root), network.sample_loss[sample], "{id}: L of the sample");
    assert_eq!(gradient(root), 1.0);
    let batch = of(NodeKind::BatchLoss).next().unwrap();
    assert_eq!(value(batch), network.loss_value, "{id}: the batch loss");
    assert_eq!(batch.inputs[0].local_derivative, Some(network.reduction.scale(network.batch_len)));
}

/// Each node's gradient is Σ over its consumers of upstream gradient × local derivative, and
/// the graph's order puts every input before its consumers.
fn check_chain_rule(id: &str, graph: &ComputationGraph) {
    let mut position = vec![0; graph.nodes.len()];
    for (k, &n) in graph.order.iter().enumerate() {
        position[n] = k;
    }
    for node in &graph.nodes {
        for edge in &node.inputs {
            assert!(position[edge.from] < position[node.id], "{id}: {} comes before its input", node.label);
            assert!(graph.nodes[edge.from].depth < node.depth);
        }
        assert_eq!(node.fan_out, node.consumers.len() > 1);
        let Some(g) = node.gradient else {
            continue;
        };
        if node.consumers.is_empty() || node.kind == NodeKind::SampleLoss {
            continue;
        }
        let sum: f64 = node
            .consumers
            .iter()
            .map(|&c| {
                let consumer = &graph.nodes[c];
                let local = consumer.inputs.iter().find(|e| e.from == node.id).unwrap().local_derivative.unwrap();
                consumer.gradient.unwrap() * local
            })
            .sum();
        assert_close(&format!("{id}: {} = Σ upstream × local", node.label), g, sum, 1e-9);
    }
}

/// This sample's loss with the network's parameters as they are, except parameter
/// (layer, neuron, input or bias) moved by `by`: an independent forward pass of one sample.
fn sample_loss_moved(network: &Network, sample: usize, param: (usize, usize, Option<usize>), by: f64) -> f64 {
    let mut x = network.batch_input[sample * network.inputs..(sample + 1) * network.inputs].to_vec();
    let (mut z, mut a) = (Vec::new(), Vec::new());
    for (l, layer) in network.layers.iter().enumerate() {
        let mut layer = layer.clone();
        if l == param.0 {
            match param.2 {
                Some(i) => layer.weights[param.1 * layer.inputs + i] += by,
                None => layer.biases[param.1] += by,
            }
        }
        z = vec![0.0; layer.units];
        a = vec![0.0; layer.units];
        layer.forward_rows(&x, 1, &mut z, &mut a);
        for (a_j, m) in a.iter_mut().zip(&layer.dropout_mask[sample * layer.units..]) {
            *a_j *= m;
        }
        x = a.clone();
    }
    let n_out = network.outputs();
    network.loss.sample_loss(&z, &a, &network.batch_target[sample * n_out..(sample + 1) * n_out])
}

/// Every weight's and bias's gradient against a central difference of the sample's loss.
fn check_parameters_numerically(id: &str, network: &Network, graph: &ComputationGraph, sample: usize) {
    let mut checked = 0;
    for l in 0..network.layers.len() {
        let layer = &network.layers[l];
        for j in 0..layer.units {
            let inputs = (0..layer.inputs).map(Some).chain(layer.has_bias.then_some(None));
            for input in inputs {
                let h = 1e-6;
                let numeric = (sample_loss_moved(network, sample, (l, j, input), h)
                    - sample_loss_moved(network, sample, (l, j, input), -h))
                    / (2.0 * h);
                let k = input.map_or(j, |i| j * layer.inputs + i);
                let analytic = match graph.nodes.iter().find(|n| {
                    n.kind == if input.is_some() { NodeKind::Weight } else { NodeKind::Bias }
                        && n.place.is_some_and(|p| p.layer == l as i32 && p.neuron == j && p.input == input)
                }) {
                    Some(node) => gradient(node),
                    // A folded graph has no parameter nodes: δ_j · a_prev_i from its neurons.
                    None => {
                        let delta = layer.delta[sample * layer.units + j];
                        let a_prev = input.map_or(1.0, |i| {
                            let before = if l == 0 { &network.batch_input } else { &network.layers[l - 1].activations };
                            before[sample * layer.inputs + i]
                        });
                        assert!(graph.folded, "{id}: no node for parameter {k} of layer {l}");
                        delta * a_prev
                    }
                };
                assert!(
                    (numeric - analytic).abs() <= 1e-6 + 1e-5 * analytic.abs(),
                    "{id}, layer {l}, neuron {j}, input {input:?}: analytic {analytic}, numeric {numeric}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, network.parameter_count(), "{id}");
}

/// A node's value from its inputs' values, by its operation (what the graph says it computes).
fn evaluate(network: &Network, graph: &ComputationGraph, values: &[f64], node: &Node) -> f64 {
    let input = |k: usize| values[node.inputs[k].from];
    match node.kind {
        NodeKind::Multiply => input(0) * input(1),
        NodeKind::Add | NodeKind::SampleLoss => node.inputs.iter().map(|e| values[e.from]).sum(),
        NodeKind::Activation => {
            let place = node.place.unwrap();
            let f = node.activation.unwrap();
            if f == Activation::Softmax {
                let z: Vec<f64> = node.inputs.iter().map(|e| values[e.from]).collect();
                let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let sum: f64 = z.iter().map(|z_k| (z_k - max).exp()).sum();
                (z[place.neuron] - max).exp() / sum
            } else {
                let layer = &network.layers[place.layer as usize];
                f.apply(input(0)) * layer.dropout_mask[graph.sample * layer.units + place.neuron]
            }
        }
        NodeKind::Difference => input(0) - input(1),
        NodeKind::HalfSquare => 0.5 * input(0) * input(0),
        NodeKind::BinaryCrossEntropy => {
            let (a, y) = (input(0), input(1));
            -(y * a.ln() + (1.0 - y) * (1.0 - a).ln())
        }
        NodeKind::CrossEntropy => {
            let (a, y) = (input(0), input(1));
            if y == 0.0 {
                0.0
            } else {
                -y * a.ln()
            }
        }
        _ => values[node.id],
    }
}

/// Every node's value is its operation on its inputs' values, and every gradient a central
/// difference of L_s with that node's value moved and the nodes after it evaluated again.
fn check_nodes_numerically(id: &str, network: &Network, graph: &ComputationGraph) {
    let values: Vec<f64> = graph.nodes.iter().map(value).collect();
    let root = graph.nodes.iter().find(|n| n.kind == NodeKind::SampleLoss).unwrap().id;
    for node in &graph.nodes {
        if !node.inputs.is_empty() && node.kind != NodeKind::BatchLoss {
            assert_close(
                &format!("{id}: {} from its inputs", node.label),
                evaluate(network, graph, &values, node),
                values[node.id],
                1e-12,
            );
        }
    }
    let moved = |n: usize, by: f64| {
        let mut v = values.clone();
        v[n] += by;
        for &k in graph.order.iter().filter(|&&k| graph.nodes[k].depth > graph.nodes[n].depth) {
            if graph.nodes[k].kind != NodeKind::BatchLoss {
                v[k] = evaluate(network, graph, &v, &graph.nodes[k]);
            }
        }
        v[root]
    };
    let mut checked = 0;
    for node in &graph.nodes {
        let Some(g) = node.gradient else {
            continue;
        };
        let h = 1e-6 * (1.0 + values[node.id].abs());
        let numeric = (moved(node.id, h) - moved(node.id, -h)) / (2.0 * h);
        assert!((numeric - g).abs() <= 1e-6 + 1e-5 * g.abs(), "{id}: {}: analytic {g}, numeric {numeric}", node.label);
        checked += 1;
    }
    assert!(checked > graph.nodes.len() / 2, "{id}: only {checked} gradients checked");
}

#[test]
fn every_lesson_graph_holds_the_engines_numbers_and_they_match_finite_differences() {
    for lesson in lessons() {
        let s = after_backward(lesson.id);
        let network = s.trainer().network();
        if network.layers.iter().any(|l| !l.kind.is_dense()) {
            // A convolutional or recurrent lesson has no graph of primitive operations (yet): it
            // is refused by naming the layer's kind, and its shared weights' chain rule is the
            // session's kernel_chain_rule or recurrent_chain_rule.
            let kind = network.layers.iter().find(|l| !l.kind.is_dense()).unwrap().kind.name();
            let err = s.computation_graph(0).unwrap_err().to_string();
            assert!(err.contains(kind), "{}: {err}", lesson.id);
            continue;
        }
        let mut summed = vec![vec![0.0; 0]; network.layers.len()];
        for (l, layer) in network.layers.iter().enumerate() {
            summed[l] = vec![0.0; layer.weights.len()];
        }
        for sample in 0..network.batch_len {
            let graph = s.computation_graph(sample).unwrap();
            assert_eq!(
                graph.folded,
                graph.nodes.len() > MAX_UNFOLDED_NODES || graph.nodes.iter().any(|n| n.kind == NodeKind::Neuron)
            );
            // The batch's dL/dw is the reduced sum of the graphs' per-sample δ·a_prev.
            let scale = network.reduction.scale(network.batch_len);
            for (l, layer) in network.layers.iter().enumerate() {
                let before = if l == 0 { &network.batch_input } else { &network.layers[l - 1].activations };
                for j in 0..layer.units {
                    for i in 0..layer.inputs {
                        let delta = layer.delta[sample * layer.units + j];
                        summed[l][j * layer.inputs + i] += scale * delta * before[sample * layer.inputs + i];
                    }
                }
            }
            // The first samples in full (the digits' batches are 32 wide).
            if sample < 2 {
                check_against_engine(lesson.id, network, &graph, sample);
                check_chain_rule(lesson.id, &graph);
                check_parameters_numerically(lesson.id, network, &graph, sample);
                if !graph.folded {
                    check_nodes_numerically(lesson.id, network, &graph);
                }
            }
        }
        for (l, layer) in network.layers.iter().enumerate() {
            for (k, (&got, &want)) in summed[l].iter().zip(&layer.grad_weights).enumerate() {
                assert_close(&format!("{}: batch dL/dw {k} of layer {l}", lesson.id), got, want, 1e-9);
            }
        }
    }
}

#[test]
fn the_small_lessons_unfold_and_the_deep_ones_fold() {
    let count = |id: &str| {
        let g = after_backward(id).computation_graph(0).unwrap();
        (g.folded, g.nodes.len())
    };
    // 1 + (w, ×, z, a) × 2 + y, ŷ − y, ½d², L, batch L.
    assert_eq!(count("chain-rule"), (false, 14));
    // 2 + 2 × (4 w, 4 ×, 2 b, 2 z, 2 a) + 2 × (y, d, ½d²) + L + batch L.
    assert_eq!(count("worked-example"), (false, 38));
    assert_eq!(count("xor"), (false, 25));
    assert_eq!(count("learning-rate"), (false, 46));
    let (folded, nodes) = count("vanishing-gradients");
    assert!(folded, "vanishing gradients: {nodes} nodes");
    // 2 inputs, 6 × 6 + 1 neurons, y, d, ½d², L, batch L.
    assert_eq!(nodes, 2 + 37 + 5);
}

#[test]
fn the_chain_rule_lesson_graph_shows_the_lessons_numbers() {
    // The lesson's text: h = 0.5498, ŷ = 0.5817, L = 0.0875, dL/dw2 = −0.0560, dL/dw1 = −0.00756.
    let g = after_backward("chain-rule").computation_graph(0).unwrap();
    let node = |label: &str| g.nodes.iter().find(|n| n.label == label).unwrap_or_else(|| panic!("no {label}"));
    assert_close("h", value(node("a¹₁")), 0.5498, 1e-4);
    assert_close("ŷ", value(node("ŷ₁")), 0.5817, 1e-4);
    assert_close("L", value(node("L (this sample)")), 0.0875, 1e-4);
    assert_close("dL/dw2", gradient(node("w²₁₁")), -0.0560, 1e-3);
    assert_close("dL/dw1", gradient(node("w¹₁₁")), -0.00756, 1e-3);
    assert_eq!(node("z²₁").formula, "z²₁ = w²₁₁·a¹₁");
    assert_eq!(node("w¹₁₁").gradient_from, GradientSource::DeltaTimesLocal);
    assert_eq!(node("a¹₁").gradient_from, GradientSource::Engine { buffer: "grad_activation" });
    // One path: nothing fans out.
    assert!(g.nodes.iter().all(|n| !n.fan_out));
}

#[test]
fn a_value_used_twice_sums_one_term_per_consumer() {
    let g = after_backward("worked-example").computation_graph(0).unwrap();
    let h1 = g.nodes.iter().find(|n| n.label == "a¹₁").unwrap();
    assert!(h1.fan_out);
    assert_eq!(h1.consumers.len(), 2);
    assert!(g.nodes.iter().filter(|n| n.kind == NodeKind::Input).all(|n| n.fan_out && n.consumers.len() == 2));
}

#[test]
fn numbers_appear_phase_by_phase() {
    let mut s = Session::new();
    s.load_lesson("worked-example", None).unwrap();
    let g = s.computation_graph(0).unwrap();
    // Before any phase: the parameters only.
    for n in &g.nodes {
        let parameter = matches!(n.kind, NodeKind::Weight | NodeKind::Bias);
        assert_eq!(n.value.is_some(), parameter, "{}", n.label);
        assert_eq!(n.gradient, None, "{}", n.label);
    }
    s.step_phase().unwrap();
    let g = s.computation_graph(0).unwrap();
    let known = |label: &str| g.nodes.iter().find(|n| n.label == label).unwrap().value.is_some();
    assert!(known("z¹₁") && known("a¹₂") && known("x₁"));
    assert!(!known("z²₁") && !known("L (this sample)"));
    assert!(g.nodes.iter().all(|n| n.gradient.is_none()));
    while s.trainer().next_phase() != Phase::Backward(0) {
        s.step_phase().unwrap();
    }
    // After the output layer's backward phase: its gradients, not yet the hidden layer's.
    let g = s.computation_graph(0).unwrap();
    let grad = |label: &str| g.nodes.iter().find(|n| n.label == label).unwrap().gradient;
    assert!(grad("w²₁₁").is_some() && grad("ŷ₁").is_some());
    assert!(grad("w¹₁₁").is_none() && grad("a¹₁").is_none() && grad("x₁").is_none());
    assert!(s.computation_graph(1).is_err());
}

#[test]
fn after_the_update_the_graph_keeps_the_weights_the_passes_used() {
    let mut s = after_backward("worked-example");
    s.step_phase().unwrap();
    let g = s.computation_graph(0).unwrap();
    let network = s.trainer().network();
    let w5 = g.nodes.iter().find(|n| n.label == "w²₁₁").unwrap();
    assert_eq!(value(w5), network.layers[1].previous_weights[0]);
    assert_ne!(value(w5), network.layers[1].weights[0]);
    // Mazur's w5 = 0.40 before, 0.35891648 after: the graph shows 0.40 with its gradient.
    assert_eq!(value(w5), 0.40);
    assert_close("dL/dw5", gradient(w5), 0.082167041, 1e-8);
    check_chain_rule("worked-example after the update", &g);
}

#[test]
fn a_folded_neuron_unfolds_into_its_products_sum_and_activation() {
    use backprop_viz::computation_graph::build_unfolding;
    let s = after_backward("vanishing-gradients");
    let network = s.trainer().network();
    let done = |p: Phase| p != Phase::Update;
    let folded = build_unfolding(network, 0, &done, &[]);
    let graph = build_unfolding(network, 0, &done, &[(1, 2)]);
    assert!(graph.folded);
    let inputs = network.layers[1].inputs;
    // The neuron's node becomes its weights and products, its bias, its sum and its activation.
    assert_eq!(graph.nodes.len(), folded.nodes.len() + 2 * inputs + 2);
    let of = |g: &ComputationGraph, kind: NodeKind| {
        g.nodes.iter().filter(|n| n.kind == kind && n.place.is_some_and(|p| p.layer == 1 && p.neuron == 2)).count()
    };
    assert_eq!(of(&graph, NodeKind::Weight), inputs);
    assert_eq!(of(&graph, NodeKind::Multiply), inputs);
    assert_eq!((of(&graph, NodeKind::Add), of(&graph, NodeKind::Activation), of(&graph, NodeKind::Neuron)), (1, 1, 0));
    assert_eq!(of(&folded, NodeKind::Neuron), 1);
    // Its output node holds the folded node's value and gradient; every other neuron stays folded.
    let output = |g: &ComputationGraph| {
        g.nodes
            .iter()
            .find(|n| {
                matches!(n.kind, NodeKind::Neuron | NodeKind::Activation)
                    && n.place.is_some_and(|p| p.layer == 1 && p.neuron == 2)
            })
            .unwrap()
            .clone()
    };
    assert_close("a", value(&output(&graph)), value(&output(&folded)), 1e-12);
    assert_close("dL/da", gradient(&output(&graph)), gradient(&output(&folded)), 1e-12);
    let neurons = |g: &ComputationGraph| g.nodes.iter().filter(|n| n.kind == NodeKind::Neuron).count();
    assert_eq!(neurons(&graph), neurons(&folded) - 1);
    check_against_engine("vanishing-gradients, (1, 2) unfolded", network, &graph, 0);
    // Folding it again gives the folded graph.
    assert_eq!(build_unfolding(network, 0, &done, &[]).nodes.len(), folded.nodes.len());
}
