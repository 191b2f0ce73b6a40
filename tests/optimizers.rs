//! The optimizers Nesterov, AdaGrad, Rprop and conjugate gradient against an independent
//! reference: tests/reference/optimizers.py (plain Python doubles, written from the papers'
//! formulas, not from the engine), on a 2 → 3 tanh → 2 sigmoid network with given weights,
//! squared error averaged over one full batch of four samples. Every number below was printed
//! by that script (`python3 tests/reference/optimizers.py`) and is matched to 1e-10 relative.

use backprop_viz::optimizer::{CgDirection, CgLineSearch, RpropDecision};
use backprop_viz::{
    Activation, ChainRule, LayerConfig, Loss, NetworkConfig, OptimizerConfig, OptimizerKind, OptimizerNumbers,
    ParamRef, Phase, Reduction, Regularization, RegularizationKind, Split, Trainer,
};

mod common;

const NESTEROV_PARAMETERS: [f64; 17] = [0.4859048537059768, -0.5462787144662121, 0.7705604601765537, -0.03294193560926744, -0.5474170558182383, 0.34969903005910874, 0.2655860232499055, -0.21043936338883754, -0.10685757861474487, 0.7244339276298863, -0.37948763448458184, 0.2754082590084837, -0.1696598701034495, 0.4516205723883751, 0.8753156779248659, 0.07322770452584187, -0.0740553068676237];
const NESTEROV_LOSSES: [f64; 6] = [0.12625406111478135, 0.12330286074111911, 0.11965058781649762, 0.11579850168376057, 0.11212638771088645, 0.10886308716265786];
const ADAGRAD_PARAMETERS: [f64; 17] = [0.6724370047256918, 0.16800543902030832, -0.08110603041064168, -0.5433261180706319, -0.700485206620015, -0.4365928656067403, 0.28507924990358285, -0.40766250065706355, -0.06788403367492615, 0.7528350855708758, -0.3630127499658512, 0.07644524084879048, -0.15864294730263395, 0.4606448406988724, 1.2603919518173907, -0.0351488013660298, -0.11165640417809686];
const ADAGRAD_LOSSES: [f64; 6] = [0.12625406111478135, 0.10924511400269438, 0.09885334446840305, 0.09640336919354621, 0.0926951417789183, 0.08748125820331024];
const RPROP_PARAMETERS: [f64; 17] = [2.8958682111999994, -0.7061542399999999, -0.6458662399999997, -1.8798901759999995, -1.0076479999999999, -0.6422911999999998, 1.17895424, -0.41324800000000006, 0.134704, 0.6869999999999999, -0.8509542399999999, 0.08675200000000005, -0.21324799999999997, 0.7061542399999999, 0.9132480000000001, -0.23324799999999996, -0.22104];
const RPROP_LOSSES: [f64; 10] = [0.12625406111478135, 0.11194203567474278, 0.10371467183855787, 0.09890509377095945, 0.09693207760601102, 0.09365187316113516, 0.08739593013438865, 0.08060892801272855, 0.07384845736199759, 0.06832759131260635];
const RPROP_STEPS: [f64; 17] = [0.5159780351999999, 0.17915903999999996, 0.17915903999999996, 0.21499084799999996, 0.062207999999999986, 0.07464959999999998, 0.17915903999999996, 0.062207999999999986, 0.062207999999999986, 0.009, 0.17915903999999996, 0.062207999999999986, 0.062207999999999986, 0.17915903999999996, 0.062207999999999986, 0.062207999999999986, 0.025919999999999995];
// Rprop decisions over all parameters and steps: {'grew': 99, 'shrank': 29, 'kept': 42}; last: ['grew', 'grew', 'grew', 'shrank', 'grew', 'shrank', 'grew', 'grew', 'kept', 'shrank', 'grew', 'grew', 'grew', 'grew', 'grew', 'grew', 'shrank']
const CG_PARAMETERS: [f64; 17] = [10.616760997295799, -2.5439201999482277, -1.114401337319326, -18.190209433613358, -5.405926910622258, -11.220647139852774, 6.566729583320966, -0.8090985785235933, -4.904218240002618, 3.846386689225638, -0.5614482383128401, -4.097922692692521, -2.4873818565153325, -2.2894740059709493, 6.537708969103279, -1.2898965950472698, 2.116478931416661];
const CG_LOSSES: [f64; 8] = [0.12625406111478135, 0.10205506708253134, 0.09668519037807466, 0.07858131778439414, 0.06571462067178499, 0.024999875889644106, 0.020405426859855337, 0.015364366098996312];
const CG_STEP_LENGTHS: [f64; 8] = [16.0, 25.751138697054852, 175.9197113179354, 20.77066491730776, 35.63162769172347, 46.4206483105865, 22.850873322884137, 26.130525001521793];
const CG_BETAS: [f64; 8] = [0.0, 0.08911654554752763, 1.1692539492740948, 6.225022036222887, 1.3798595641542297, 0.5620201603548743, 0.22618859266979302, 0.0];
const CG_TRIALS: [u32; 8] = [6, 2, 4, 2, 3, 2, 3, 2];
// CG directions: ['first', 'conjugate', 'conjugate', 'conjugate', 'conjugate', 'conjugate', 'conjugate', 'negative_beta']
// CG first trial then: ['longer', 'shorter', 'longer', 'longer', 'longer', 'longer', 'shorter', 'shorter']
const CG_L2_PARAMETERS: [f64; 17] = [0.2960332398007246, 0.07120791887709917, -0.2878886600642324, -0.485056688706868, -0.5410123514615188, -0.5440848002989925, 0.3593560053743876, -0.20916548636777493, 0.04485786492918404, 0.17674170399704445, -0.24807334530297268, -0.3945661042663798, -0.2863228326483632, 0.47036016975181, 0.8238904222089821, 0.06432214146140547, -0.011181864051681516];
const CG_L2_LOSSES: [f64; 8] = [0.12625406111478135, 0.1008156078415686, 0.09981066448908331, 0.09957041748625632, 0.09203860779049794, 0.08785276408527759, 0.08411884568237604, 0.08333400102787235];
const CG_L2_STEP_LENGTHS: [f64; 8] = [16.0, 24.70304231812454, 37.88239130363538, 12.049078564832824, 52.03639513996244, 9.609207804311604, 7.87954621179464, 45.501194960998575];
const CG_L2_BETAS: [f64; 8] = [0.0, 0.03254993184304966, 1.1266342401089438, 0.0, 0.07782897469818904, 0.0, 0.0, 0.19346546979370632];
const CG_L2_TRIALS: [u32; 8] = [6, 2, 2, 2, 2, 2, 2, 2];
// CG_L2 directions: ['first', 'conjugate', 'conjugate', 'periodic_restart', 'conjugate', 'not_descent', 'not_descent', 'conjugate']
// CG_L2 first trial then: ['longer', 'shorter', 'longer', 'longer', 'longer', 'longer', 'shorter', 'shorter']
const CG_LONG_PARAMETERS: [f64; 17] = [3.273387666251893, -0.40774639243009203, 2.095020605832314, -1.8852857590651468, -2.6285456130392197, -1.451219867953535, 1.9683923969414923, 1.5375332081712414, -1.2666522829439242, 1.5731998072263584, -1.0816268788136925, -0.19019080007706002, -0.4243634106529847, 0.13129356422993982, 0.5951665054928674, -0.08950490113933388, 0.17814523647365482];
const CG_LONG_LOSSES: [f64; 8] = [0.12625406111478135, 0.12365299979481323, 0.11495554639985464, 0.10721826201893353, 0.10682755368768568, 0.09833446839481151, 0.09704487015732753, 0.09428559371879361];
const CG_LONG_STEP_LENGTHS: [f64; 8] = [44.05641465046909, 21.000420997013162, 27.479735345059055, 36.072434489750236, 19.1956507773166, 10.253954821773794, 7.232948635140767, 41.66513691886339];
const CG_LONG_BETAS: [f64; 8] = [0.0, 1.270334560388623, 0.301332252328504, 1.4982254626780775, 1.1597717723530763, 0.9661052353957613, 0.0023278392129484483, 0.0];
const CG_LONG_TRIALS: [u32; 8] = [5, 2, 2, 2, 2, 2, 2, 2];
// CG_LONG directions: ['first', 'conjugate', 'conjugate', 'conjugate', 'conjugate', 'conjugate', 'conjugate', 'negative_beta']
// CG_LONG first trial then: ['shorter', 'shorter', 'longer', 'longer', 'longer', 'shorter', 'longer', 'longer']

const X: [f64; 8] = [0.5, -1.0, 1.5, 0.25, -0.75, 0.8, 0.1, -0.3];
const Y: [f64; 8] = [0.2, 0.9, 0.7, 0.1, 0.4, 0.6, 0.95, 0.05];

fn trainer(optimizer: OptimizerConfig, l2: f64) -> Trainer {
    let layer = |weights: Vec<Vec<f64>>, biases: Vec<f64>, activation| LayerConfig {
        weights: Some(weights.clone()),
        biases: Some(biases),
        ..LayerConfig::new(weights.len(), activation)
    };
    let config = NetworkConfig {
        inputs: 2,
        layers: vec![
            layer(vec![vec![0.3, -0.6], vec![0.8, 0.2], vec![-0.4, 0.5]], vec![0.1, -0.2, 0.05], Activation::Tanh),
            layer(vec![vec![0.7, -0.5, 0.3], vec![-0.2, 0.6, 0.9]], vec![0.0, 0.1], Activation::Sigmoid),
        ],
        loss: Loss::SquaredError,
        reduction: Reduction::Mean,
        optimizer,
        regularization: Regularization { kind: RegularizationKind::L2, rate: l2 },
        batch_size: 4,
        shuffle: false,
        ..NetworkConfig::default()
    };
    let mut trainer = Trainer::new(config).unwrap();
    trainer.set_data(Split::Train, X.to_vec(), Y.to_vec()).unwrap();
    trainer
}

fn close(actual: &[f64], expected: &[f64], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}");
    for (k, (a, e)) in actual.iter().zip(expected).enumerate() {
        let tolerance = 1e-10 * e.abs().max(1e-300);
        assert!((a - e).abs() <= tolerance, "{what}[{k}]: got {a}, reference {e} (relative {:e})", ((a - e) / e).abs());
    }
}

/// Runs `losses.len()` steps one at a time, recording each step's batch loss.
fn run(trainer: &mut Trainer, steps: usize) -> Vec<f64> {
    (0..steps).map(|_| trainer.step().unwrap()).collect()
}

fn rule(trainer: &Trainer, layer: usize, neuron: usize, input: Option<usize>) -> ChainRule {
    trainer.chain_rule(ParamRef { layer, neuron, input }, 0).unwrap()
}

#[test]
fn nesterov_matches_the_reference() {
    let mut t = trainer(OptimizerConfig { kind: OptimizerKind::Nesterov, learning_rate: 0.5, momentum: 0.9, ..OptimizerConfig::default() }, 0.0);
    close(&run(&mut t, NESTEROV_LOSSES.len()), &NESTEROV_LOSSES, "Nesterov losses");
    close(&common::parameters(&t), &NESTEROV_PARAMETERS, "Nesterov parameters");
    // Δ = −η·(g + μ·m) with the velocity the inspector shows.
    let r = rule(&t, 1, 0, Some(2));
    let OptimizerNumbers::Nesterov { velocity } = r.optimizer_numbers else { panic!("{:?}", r.optimizer_numbers) };
    assert_eq!(r.update, -0.5 * (r.batch_gradient + 0.9 * velocity));
}

#[test]
fn adagrad_matches_the_reference() {
    let mut t = trainer(OptimizerConfig { kind: OptimizerKind::Adagrad, learning_rate: 0.3, epsilon: 1e-8, ..OptimizerConfig::default() }, 0.0);
    close(&run(&mut t, ADAGRAD_LOSSES.len()), &ADAGRAD_LOSSES, "AdaGrad losses");
    close(&common::parameters(&t), &ADAGRAD_PARAMETERS, "AdaGrad parameters");
    let r = rule(&t, 0, 1, None);
    let OptimizerNumbers::Adagrad { sum_of_squares } = r.optimizer_numbers else { panic!() };
    assert_eq!(r.update, -0.3 * r.batch_gradient / (sum_of_squares.sqrt() + 1e-8));
}

#[test]
fn rprop_matches_the_reference() {
    let mut t = trainer(OptimizerConfig { kind: OptimizerKind::Rprop, ..OptimizerConfig::default() }, 0.0);
    close(&run(&mut t, RPROP_LOSSES.len()), &RPROP_LOSSES, "Rprop losses");
    close(&common::parameters(&t), &RPROP_PARAMETERS, "Rprop parameters");
    // The step sizes are moment2 (weights, then biases, layer by layer: the parameters' order).
    let snapshot = t.optimizer_snapshot();
    let steps: Vec<f64> = snapshot.layers.iter().flat_map(|arrays| arrays[1].iter().chain(&arrays[4]).copied()).collect();
    close(&steps, &RPROP_STEPS, "Rprop step sizes");
    // The reference's last decisions: weight [1][0] of layer 1 shrank, bias 1 of layer 2 shrank,
    // bias 2 of layer 1 kept, weight [0][0] of layer 1 grew.
    let decision = |layer, neuron, input| {
        let OptimizerNumbers::Rprop { decision, step_size, previous_gradient } = rule(&t, layer, neuron, input).optimizer_numbers else { panic!() };
        (decision, step_size, previous_gradient)
    };
    let (shrank, step, stored) = decision(0, 1, Some(1));
    assert_eq!((shrank, step, stored), (RpropDecision::Shrank, RPROP_STEPS[3], 0.0));
    assert_eq!(rule(&t, 0, 1, Some(1)).update, 0.0, "no move after a sign change");
    assert_eq!(decision(1, 1, None).0, RpropDecision::Shrank);
    assert_eq!(decision(0, 2, None).0, RpropDecision::Kept);
    let (grew, step, _) = decision(0, 0, Some(0));
    assert_eq!(grew, RpropDecision::Grew);
    let r = rule(&t, 0, 0, Some(0));
    assert_eq!(r.update, -r.batch_gradient.signum() * step);
}

fn cg(initial_step: f64, restart_every: u32) -> OptimizerConfig {
    OptimizerConfig { kind: OptimizerKind::Cg, cg_initial_step: initial_step, cg_restart_every: restart_every, ..OptimizerConfig::default() }
}

/// Runs conjugate gradient step by step against one of the reference's runs.
fn check_cg(mut t: Trainer, losses: &[f64], lengths: &[f64], betas: &[f64], trials: &[u32], directions: &[CgDirection], parameters: &[f64]) {
    let mut evaluations = 0;
    for step in 0..losses.len() {
        let loss = t.step().unwrap();
        let s = t.optimizer_scalars().clone();
        close(&[loss], &losses[step..=step], &format!("loss of step {step}"));
        close(&[s.cg_step_length], &lengths[step..=step], &format!("α of step {step}"));
        if betas[step] == 0.0 {
            assert_eq!(s.cg_beta, 0.0, "β of step {step}");
        } else {
            close(&[s.cg_beta], &betas[step..=step], &format!("β of step {step}"));
        }
        assert_eq!((s.cg_trials, s.cg_direction, s.cg_line_search), (trials[step], directions[step], CgLineSearch::Accepted), "step {step}");
        evaluations += u64::from(trials[step]);
        assert_eq!(s.cg_evaluations, evaluations);
        assert!(s.cg_loss_after < s.cg_loss_before);
    }
    close(&common::parameters(&t), parameters, "conjugate gradient parameters");
}

#[test]
fn conjugate_gradient_matches_the_reference() {
    use CgDirection::*;
    check_cg(trainer(cg(1.0, 0), 0.0), &CG_LOSSES, &CG_STEP_LENGTHS, &CG_BETAS, &CG_TRIALS,
        &[First, Conjugate, Conjugate, Conjugate, Conjugate, Conjugate, Conjugate, NegativeBeta], &CG_PARAMETERS);
}

#[test]
fn conjugate_gradient_with_l2_and_restarts_every_3_matches_the_reference() {
    use CgDirection::*;
    check_cg(trainer(cg(1.0, 3), 0.01), &CG_L2_LOSSES, &CG_L2_STEP_LENGTHS, &CG_L2_BETAS, &CG_L2_TRIALS,
        &[First, Conjugate, Conjugate, PeriodicRestart, Conjugate, NotDescent, NotDescent, Conjugate], &CG_L2_PARAMETERS);
}

#[test]
fn conjugate_gradient_shortening_its_steps_matches_the_reference() {
    use CgDirection::*;
    check_cg(trainer(cg(1000.0, 0), 0.0), &CG_LONG_LOSSES, &CG_LONG_STEP_LENGTHS, &CG_LONG_BETAS, &CG_LONG_TRIALS,
        &[First, Conjugate, Conjugate, Conjugate, Conjugate, Conjugate, Conjugate, NegativeBeta], &CG_LONG_PARAMETERS);
}
