//! The computation graph of one sample: the dense network unfolded into primitive operations,
//! each node with its value and its gradient, each edge with its local derivative (the way
//! micrograd draws a network).
//!
//! For neuron j of layer l, with the inputs a_i of the layer before (x_i for the first):
//!     m_ji = w_ji · a_i           (a multiply node per input; ∂m/∂w = a_i, ∂m/∂a = w_ji)
//!     z_j  = Σ_i m_ji + b_j       (an add node; ∂z/∂m = ∂z/∂b = 1)
//!     a_j  = f(z_j)               (the activation; ∂a/∂z = f'(z_j), times the dropout mask)
//! softmax makes one node per output fed by every z_k (∂a_j/∂z_k = a_j (δ_jk − a_k)). Then the
//! loss as the `loss` module defines it, per output i:
//!     squared error   d_i = ŷ_i − y_i, s_i = ½ d_i²            L_s = Σ_i s_i
//!     binary CE       ℓ_i = −[y_i ln ŷ_i + (1 − y_i) ln(1 − ŷ_i)] L_s = Σ_i ℓ_i
//!     softmax CE      ℓ_i = −y_i ln ŷ_i                          L_s = Σ_i ℓ_i
//! and the batch's loss, the mean (or sum) of every sample's L_s: this sample's share is the
//! edge L_s → L with local derivative 1/B (or 1).
//!
//! Gradients are dL_s/d(node) for this sample's own loss, the engine's per-sample quantities.
//! Values and gradients are read from the engine's arrays (z, a, δ, dL/da, the weights each
//! pass used): no second forward pass. Where the engine stores no gradient for a node (a
//! product, a weight, an input), it is the engine's δ times that node's local derivative, or
//! the sum over the node's consumers of upstream gradient × local derivative; `gradient_from`
//! says which. A value used by several consumers (`fan_out`) collects one term from each: the
//! "+=" of backpropagation.
//!
//! Networks whose unfolded graph would pass `MAX_UNFOLDED_NODES` fold each neuron into one
//! node (value a_j, gradient dL/da_j, edges ∂a_j/∂a_i = f'(z_j) · w_ji) and say so (`folded`).

use crate::activation::Activation;
use crate::loss::{Loss, Reduction};
use crate::network::Network;
use crate::notation::{input_name, subscript, superscript};
use crate::phase::Phase;
use serde::Serialize;

/// Above this many nodes, each neuron is folded into one node (lesson networks stay under it).
pub const MAX_UNFOLDED_NODES: usize = 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// x_i, a value of the sample.
    Input,
    /// w_ji, as the forward pass used it.
    Weight,
    /// b_j.
    Bias,
    /// w_ji · a_i.
    Multiply,
    /// z_j = Σ_i m_ji + b_j.
    Add,
    /// a_j = f(z_j) (`activation` names f).
    Activation,
    /// A whole neuron, a_j = f(Σ_i w_ji · a_i + b_j), in a folded graph.
    Neuron,
    /// y_i, the sample's target.
    Target,
    /// ŷ_i − y_i (squared error).
    Difference,
    /// ½ d_i² (squared error).
    HalfSquare,
    /// −[y ln ŷ + (1 − y) ln(1 − ŷ)] of one output.
    BinaryCrossEntropy,
    /// −y ln ŷ of one output.
    CrossEntropy,
    /// L_s = Σ_i of the terms: this sample's loss, the graph's root.
    SampleLoss,
    /// The batch's loss (mean or sum over its samples): this sample's share of it.
    BatchLoss,
}

/// Where a node's gradient comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GradientSource {
    /// Read from the engine's per-sample array: `delta` (δ = dL/dz), `grad_activation`
    /// (dL/da = Σ w·δ of a hidden layer) or `grad_output` (dL/dŷ from the loss).
    Engine { buffer: &'static str },
    /// The engine does not store it: δ_j of the neuron times this node's local derivative
    /// (1 for a product or a bias, a_i for a weight).
    DeltaTimesLocal,
    /// The engine does not store it: Σ over the consumers of upstream gradient × local derivative.
    Consumers,
    /// dL_s/dL_s = 1.
    Root,
    /// A target, or the batch's loss: not something this sample's loss is differentiated by.
    None,
}

/// Which weight, bias or neuron of the layer view a node stands for (layer −1: the inputs;
/// `input` for a weight or its product).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Place {
    pub layer: i32,
    pub neuron: usize,
    pub input: Option<usize>,
}

/// An edge into a node: the input it comes from and ∂(this node)/∂(that input).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Edge {
    pub from: usize,
    /// None until the phase that computes this node has run.
    pub local_derivative: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Node {
    pub id: usize,
    pub kind: NodeKind,
    /// "w¹₁₂", "z²₁", "ŷ₁ − y₁", textbook layer numbers (from 1).
    pub label: String,
    /// How the value is made from the inputs, in symbols: "z¹₁ = w¹₁₁·x₁ + b¹₁".
    pub formula: String,
    pub place: Option<Place>,
    /// f, for activation and neuron nodes.
    pub activation: Option<Activation>,
    pub inputs: Vec<Edge>,
    /// The nodes that use this one, in id order.
    pub consumers: Vec<usize>,
    /// None until `value_phase` has run in this step.
    pub value: Option<f64>,
    /// dL_s/d(this node); None until `gradient_phase` has run (or for targets and the batch loss).
    pub gradient: Option<f64>,
    pub gradient_from: GradientSource,
    /// Used by more than one consumer: its gradient is a sum of one term per consumer.
    pub fan_out: bool,
    /// The phase that computes the value (None: a parameter, known before any phase).
    pub value_phase: Option<Phase>,
    /// The phase that computes the gradient.
    pub gradient_phase: Option<Phase>,
    /// The longest path from a leaf: the column of a layered layout.
    pub depth: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComputationGraph {
    pub sample: usize,
    pub batch_size: usize,
    pub reduction: Reduction,
    pub loss: Loss,
    /// Each neuron is one node (the unfolded graph would have more than `MAX_UNFOLDED_NODES`).
    pub folded: bool,
    pub nodes: Vec<Node>,
    /// Every node id, inputs before their consumers (by depth, then id): forward lights them in
    /// this order, backward in the reverse.
    pub order: Vec<usize>,
    /// Columns of the layered layout (the largest depth + 1).
    pub depths: usize,
}

/// How many nodes the unfolded graph of `network` has.
pub fn unfolded_node_count(network: &Network) -> usize {
    let mut count = network.inputs;
    for layer in &network.layers {
        let params = layer.inputs * layer.units;
        count += 2 * params + layer.units * (2 + usize::from(layer.has_bias));
    }
    let outputs = network.outputs();
    let per_output = if network.loss == Loss::SquaredError { 3 } else { 2 };
    count + per_output * outputs + 2
}

/// What the graph reads from the network for one sample, and whether each phase has run.
struct Reader<'a> {
    network: &'a Network,
    sample: usize,
    done: &'a dyn Fn(Phase) -> bool,
    nodes: Vec<Node>,
}

impl Reader<'_> {
    /// A value known once `phase` has run in this step.
    fn when(&self, phase: Option<Phase>, value: impl FnOnce() -> f64) -> Option<f64> {
        // Parameters are known before any phase; everything else once its phase has run.
        let known = phase.is_none_or(|p| self.network.batch_len > 0 && (self.done)(p));
        known.then(value)
    }

    fn add(&mut self, kind: NodeKind, label: String, formula: String) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node {
            id,
            kind,
            label,
            formula,
            place: None,
            activation: None,
            inputs: Vec::new(),
            consumers: Vec::new(),
            value: None,
            gradient: None,
            gradient_from: GradientSource::None,
            fan_out: false,
            value_phase: None,
            gradient_phase: None,
            depth: 0,
        });
        id
    }

    /// An edge `from` → `to` whose local derivative is known once `to`'s value is.
    fn edge(&mut self, from: usize, to: usize, local: impl FnOnce() -> f64) {
        let local_derivative = self.when(self.nodes[to].value_phase, local);
        self.nodes[to].inputs.push(Edge { from, local_derivative });
    }

    /// Sets the value, its phase and the gradient (with where it comes from and its phase).
    fn fill(
        &mut self,
        id: usize,
        value_phase: Option<Phase>,
        value: impl FnOnce() -> f64,
        gradient_phase: Option<Phase>,
        from: GradientSource,
        gradient: impl FnOnce() -> f64,
    ) {
        let value = self.when(value_phase, value);
        let gradient = if gradient_phase.is_some() { self.when(gradient_phase, gradient) } else { None };
        let node = &mut self.nodes[id];
        node.value_phase = value_phase;
        node.value = value;
        node.gradient_phase = gradient_phase;
        node.gradient = gradient;
        node.gradient_from = from;
    }

    /// Row `sample` of a per-sample array of `width` numbers.
    fn row<'b>(&self, array: &'b [f64], width: usize) -> &'b [f64] {
        array.get(self.sample * width..(self.sample + 1) * width).unwrap_or(&[])
    }
}

/// The computation graph of batch sample `sample` (checked by the caller against the batch;
/// with no batch yet every value but the parameters is None). `done(phase)` says whether a
/// phase has run in the current step: values and gradients of later phases are None.
pub fn build(network: &Network, sample: usize, done: &dyn Fn(Phase) -> bool) -> ComputationGraph {
    build_unfolding(network, sample, done, &[])
}

/// As `build`, with the neurons `unfold` ((engine layer, neuron) pairs) of a folded graph
/// unfolded into their products, sum and activation (a softmax neuron stays folded: its
/// activation reads every z of its layer).
pub fn build_unfolding(
    network: &Network,
    sample: usize,
    done: &dyn Fn(Phase) -> bool,
    unfold: &[(usize, usize)],
) -> ComputationGraph {
    let folded = unfolded_node_count(network) > MAX_UNFOLDED_NODES;
    let mut r = Reader { network, sample, done, nodes: Vec::new() };
    let count = network.layers.len();
    let x = r.row(&network.batch_input, network.inputs).to_vec();
    // The inputs: gradient Σ_j w_ji · δ_j, which the engine never forms.
    let mut previous: Vec<usize> = (0..network.inputs)
        .map(|i| {
            let id = r.add(NodeKind::Input, input_name(i), "the sample's input".into());
            r.nodes[id].place = Some(Place { layer: -1, neuron: i, input: None });
            let value = x.get(i).copied().unwrap_or(f64::NAN);
            r.fill(id, Some(Phase::FIRST), || value, Some(Phase::Backward(0)), GradientSource::Consumers, || f64::NAN);
            id
        })
        .collect();
    let mut previous_names: Vec<String> = (0..network.inputs).map(input_name).collect();
    for (l, layer) in network.layers.iter().enumerate() {
        let is_output = l + 1 == count;
        let (units, n_in) = (layer.units, layer.inputs);
        let top = superscript(l + 1);
        // Each pass's numbers with the weights that pass used (before an update run since).
        let forward_weights = if network.updated_after_forward { &layer.previous_weights } else { &layer.weights };
        let forward_biases = if network.updated_after_forward { &layer.previous_biases } else { &layer.biases };
        let backward_weights = if network.updated_after_backward { &layer.previous_weights } else { &layer.weights };
        let a_prev: Vec<f64> =
            if l == 0 { x.clone() } else { r.row(&network.layers[l - 1].activations, n_in).to_vec() };
        let z = r.row(&layer.pre_activation, units).to_vec();
        let a = r.row(&layer.activations, units).to_vec();
        let delta = r.row(&layer.delta, units).to_vec();
        let mask = r.row(&layer.dropout_mask, units).to_vec();
        let grad_a = if is_output {
            r.row(&network.grad_output, units).to_vec()
        } else {
            r.row(&layer.grad_activation, units).to_vec()
        };
        let (forward, backward) = (Some(Phase::Forward(l)), Some(Phase::Backward(l)));
        let grad_a_phase = if is_output { Some(Phase::Loss) } else { backward };
        let grad_a_buffer = if is_output { "grad_output" } else { "grad_activation" };
        let at = |v: &[f64], k: usize| v.get(k).copied().unwrap_or(f64::NAN);
        let f_prime =
            |j: usize| layer.activation.derivative(at(&z, j), layer.activation.apply_or(at(&z, j), at(&a, j)));
        let mut current = Vec::with_capacity(units);
        let names: Vec<String> = (0..units)
            .map(|j| {
                if is_output {
                    format!("ŷ{}", subscript(&[j + 1]))
                } else {
                    format!("a{top}{}", subscript(&[j + 1]))
                }
            })
            .collect();
        // The node of a_j (an activation, or a whole folded neuron): the engine's a and dL/da.
        let output_of = |r: &mut Reader, kind: NodeKind, j: usize, formula: String| {
            let id = r.add(kind, names[j].clone(), formula);
            r.nodes[id].place = Some(Place { layer: l as i32, neuron: j, input: None });
            r.nodes[id].activation = Some(layer.activation);
            let gradient = at(&grad_a, j);
            let from = GradientSource::Engine { buffer: grad_a_buffer };
            r.fill(id, forward, || at(&a, j), grad_a_phase, from, || gradient);
            id
        };
        // Neuron j's products w·a, its bias and its sum z_j: (the sum's node, the name of z_j).
        let sum_of = |r: &mut Reader, j: usize| {
            let neuron = subscript(&[j + 1]);
            let d_j = at(&delta, j);
            let mut terms = Vec::with_capacity(n_in + 1);
            let mut parts = Vec::with_capacity(n_in + 1);
            for (i, &from) in previous.iter().enumerate() {
                let place = Some(Place { layer: l as i32, neuron: j, input: Some(i) });
                let w_name = format!("w{top}{}", subscript(&[j + 1, i + 1]));
                let w = r.add(NodeKind::Weight, w_name.clone(), "a parameter".into());
                r.nodes[w].place = place;
                let (w_value, a_i) = (forward_weights[j * n_in + i], at(&a_prev, i));
                r.fill(w, None, || w_value, backward, GradientSource::DeltaTimesLocal, || d_j * a_i);
                let product = format!("{w_name}·{}", previous_names[i]);
                let m =
                    r.add(NodeKind::Multiply, product.clone(), format!("{product} = {w_name} × {}", previous_names[i]));
                r.nodes[m].place = place;
                r.fill(m, forward, || w_value * a_i, backward, GradientSource::DeltaTimesLocal, || d_j);
                r.edge(w, m, || a_i);
                let w_backward = backward_weights[j * n_in + i];
                r.edge(from, m, || w_backward);
                terms.push(m);
                parts.push(product);
            }
            if layer.has_bias {
                let b_name = format!("b{top}{neuron}");
                let b = r.add(NodeKind::Bias, b_name.clone(), "a parameter".into());
                r.nodes[b].place = Some(Place { layer: l as i32, neuron: j, input: None });
                let b_value = forward_biases[j];
                r.fill(b, None, || b_value, backward, GradientSource::DeltaTimesLocal, || d_j);
                terms.push(b);
                parts.push(b_name);
            }
            let z_name = format!("z{top}{neuron}");
            let add = r.add(NodeKind::Add, z_name.clone(), format!("{z_name} = {}", parts.join(" + ")));
            r.nodes[add].place = Some(Place { layer: l as i32, neuron: j, input: None });
            r.fill(add, forward, || at(&z, j), backward, GradientSource::Engine { buffer: "delta" }, || d_j);
            for term in terms {
                r.edge(term, add, || 1.0);
            }
            (add, z_name)
        };
        // a_j = f(z_j) (with dropout's mask) on its sum's node, for an element-wise activation.
        let activation_of = |r: &mut Reader, j: usize, add: usize, z_name: &str| {
            let formula = if layer.dropout > 0.0 {
                format!("{} = {}({z_name}) · m{}", names[j], layer.activation.name(), subscript(&[j + 1]))
            } else {
                format!("{} = {}({z_name})", names[j], layer.activation.name())
            };
            let id = output_of(r, NodeKind::Activation, j, formula);
            r.edge(add, id, || f_prime(j) * at(&mask, j));
            id
        };
        if folded {
            for j in 0..units {
                if unfold.contains(&(l, j)) && layer.activation != Activation::Softmax {
                    let (add, z_name) = sum_of(&mut r, j);
                    current.push(activation_of(&mut r, j, add, &z_name));
                    continue;
                }
                let formula = format!("{} = {}(Σ w·a + b)", names[j], layer.activation.name());
                let id = output_of(&mut r, NodeKind::Neuron, j, formula);
                for (i, &from) in previous.iter().enumerate() {
                    // ∂a_j/∂a_i = Σ_k ∂a_j/∂z_k · w_ki: f'(z_j) · m_j · w_ji, or through softmax's Jacobian.
                    let local = || {
                        if layer.activation == Activation::Softmax {
                            (0..units)
                                .map(|k| {
                                    let jacobian = at(&a, j) * (f64::from(u8::from(j == k)) - at(&a, k));
                                    jacobian * backward_weights[k * n_in + i]
                                })
                                .sum()
                        } else {
                            f_prime(j) * at(&mask, j) * backward_weights[j * n_in + i]
                        }
                    };
                    r.edge(from, id, local);
                }
                current.push(id);
            }
        } else {
            let adds: Vec<(usize, String)> = (0..units).map(|j| sum_of(&mut r, j)).collect();
            for j in 0..units {
                let id = if layer.activation == Activation::Softmax {
                    let formula = format!("{} = softmax(z{top})_{}", names[j], j + 1);
                    let id = output_of(&mut r, NodeKind::Activation, j, formula);
                    // ∂a_j/∂z_k = a_j (δ_jk − a_k): every z feeds every output.
                    for (k, &(add, _)) in adds.iter().enumerate() {
                        r.edge(add, id, || at(&a, j) * (f64::from(u8::from(j == k)) - at(&a, k)));
                    }
                    id
                } else {
                    activation_of(&mut r, j, adds[j].0, &adds[j].1)
                };
                current.push(id);
            }
        }
        previous = current;
        previous_names = names;
    }
    add_loss(&mut r, &previous, &previous_names);
    finish(r.nodes, network, sample, folded)
}

/// The loss nodes on the outputs `outputs` (named `names`): per output its terms, then L_s and
/// this sample's share of the batch's loss.
fn add_loss(r: &mut Reader, outputs: &[usize], names: &[String]) {
    let network = r.network;
    let n_out = outputs.len();
    let output = &network.layers[network.layers.len() - 1];
    let y = r.row(&network.batch_target, n_out).to_vec();
    let z = r.row(&output.pre_activation, n_out).to_vec();
    let a = r.row(&output.activations, n_out).to_vec();
    let at = |v: &[f64], k: usize| v.get(k).copied().unwrap_or(f64::NAN);
    let loss = Some(Phase::Loss);
    // ln ŷ_i from z, as the engine's loss takes it, so that it stays finite when ŷ rounds to 0.
    let max_z = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let log_sum = max_z + z.iter().map(|z_k| (z_k - max_z).exp()).sum::<f64>().ln();
    let mut terms = Vec::with_capacity(n_out);
    let mut term_names = Vec::with_capacity(n_out);
    for (i, (&out, name)) in outputs.iter().zip(names).enumerate() {
        let index = subscript(&[i + 1]);
        let y_name = format!("y{index}");
        let target = r.add(NodeKind::Target, y_name.clone(), "the sample's target".into());
        let (y_i, z_i, a_i) = (at(&y, i), at(&z, i), at(&a, i));
        r.fill(target, loss, || y_i, None, GradientSource::None, || f64::NAN);
        let term = match network.loss {
            Loss::SquaredError => {
                let d_name = format!("{name} − {y_name}");
                let d = r.add(NodeKind::Difference, d_name.clone(), format!("d{index} = {d_name}"));
                r.fill(d, loss, || a_i - y_i, loss, GradientSource::Consumers, || a_i - y_i);
                r.edge(out, d, || 1.0);
                r.edge(target, d, || -1.0);
                let s = r.add(NodeKind::HalfSquare, format!("½(d{index})²"), format!("½ ({d_name})²"));
                r.fill(s, loss, || 0.5 * (a_i - y_i) * (a_i - y_i), loss, GradientSource::Consumers, || 1.0);
                r.edge(d, s, || a_i - y_i);
                s
            }
            Loss::BinaryCrossEntropy => {
                let formula = format!("−[{y_name} ln {name} + (1 − {y_name}) ln(1 − {name})]");
                let t = r.add(NodeKind::BinaryCrossEntropy, format!("ℓ{index}"), formula);
                let value = Loss::BinaryCrossEntropy.sample_loss(&[z_i], &[a_i], &[y_i]);
                r.fill(t, loss, || value, loss, GradientSource::Consumers, || 1.0);
                r.edge(out, t, || (a_i - y_i) / (a_i * (1.0 - a_i)));
                // ∂ℓ/∂y = ln(1 − ŷ) − ln ŷ = −z.
                r.edge(target, t, || -z_i);
                t
            }
            Loss::SoftmaxCrossEntropy => {
                let t = r.add(NodeKind::CrossEntropy, format!("ℓ{index}"), format!("−{y_name} ln {name}"));
                let log_a = z_i - log_sum;
                r.fill(
                    t,
                    loss,
                    || if y_i == 0.0 { 0.0 } else { -y_i * log_a },
                    loss,
                    GradientSource::Consumers,
                    || 1.0,
                );
                r.edge(out, t, || -y_i / a_i);
                r.edge(target, t, || -log_a);
                t
            }
        };
        terms.push(term);
        term_names.push(r.nodes[term].label.clone());
    }
    let sample_loss = network.sample_loss.get(r.sample).copied().unwrap_or(f64::NAN);
    let root = r.add(NodeKind::SampleLoss, "L (this sample)".into(), format!("L = {}", term_names.join(" + ")));
    r.fill(root, loss, || sample_loss, loss, GradientSource::Root, || 1.0);
    for term in terms {
        r.edge(term, root, || 1.0);
    }
    let (scale, word) = match network.reduction {
        Reduction::Mean => (network.reduction.scale(network.batch_len.max(1)), "mean"),
        Reduction::Sum => (1.0, "sum"),
    };
    let batch_len = network.batch_len;
    let batch =
        r.add(NodeKind::BatchLoss, format!("L (batch {word})"), format!("the {word} of the {batch_len} samples' L"));
    let batch_loss = network.loss_value;
    r.fill(batch, loss, || batch_loss, None, GradientSource::None, || f64::NAN);
    r.edge(root, batch, || scale);
}

/// Consumers, fan-out, the inputs' gradients (Σ over consumers), depths and the order.
fn finish(mut nodes: Vec<Node>, network: &Network, sample: usize, folded: bool) -> ComputationGraph {
    for id in 0..nodes.len() {
        for k in 0..nodes[id].inputs.len() {
            let from = nodes[id].inputs[k].from;
            nodes[from].consumers.push(id);
        }
    }
    // Nodes are made inputs first, so one pass in id order sets every depth.
    for id in 0..nodes.len() {
        let depth = nodes[id].inputs.iter().map(|e| nodes[e.from].depth + 1).max().unwrap_or(0);
        nodes[id].depth = depth;
    }
    for node in &mut nodes {
        node.fan_out = node.consumers.len() > 1;
    }
    // Gradients the engine has no array for and that are not δ × local: Σ upstream × local.
    for id in (0..nodes.len()).rev() {
        if nodes[id].gradient_from != GradientSource::Consumers || nodes[id].gradient.is_none() {
            continue;
        }
        let sum = nodes[id].consumers.iter().try_fold(0.0, |sum, &c| {
            let upstream = nodes[c].gradient?;
            let local = nodes[c].inputs.iter().find(|e| e.from == id)?.local_derivative?;
            Some(sum + upstream * local)
        });
        nodes[id].gradient = sum;
    }
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by_key(|&id| (nodes[id].depth, id));
    let depths = nodes.iter().map(|n| n.depth + 1).max().unwrap_or(0);
    ComputationGraph {
        sample,
        batch_size: network.batch_len,
        reduction: network.reduction,
        loss: network.loss,
        folded,
        nodes,
        order,
        depths,
    }
}
