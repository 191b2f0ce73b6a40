"""Independent reference for the optimizers Nesterov, AdaGrad, Rprop (iRprop-) and conjugate
gradient (Polak-Ribiere PR+ with restarts and a line search), for tests/optimizers.rs.

Written from the papers' formulas, not from the engine's code; plain Python floats (IEEE
double), no numpy. The network: 2 inputs -> 3 tanh -> 2 sigmoid, biases on, loss
1/2 * sum_i (y_i - a_i)^2 per sample, averaged over the batch of all four samples (full batch),
no shuffling. Parameters are listed as the engine stores them: layer by layer, the weights row
by row (w[j][i] from input i to neuron j), then the biases.

Formulas (g = the batch gradient plus, for weights, the L2 penalty's gradient lambda*w):
- Nesterov, PyTorch's form (Sutskever et al. 2013, rewritten at the look-ahead point):
  m <- mu*m + g;  w <- w - lr*(g + mu*m)
- AdaGrad (Duchi, Hazan & Singer 2011; PyTorch's form): G <- G + g^2;  w <- w - lr*g/(sqrt(G) + eps)
- iRprop- (Igel & Huesken 2000): if g_prev*g > 0: s <- min(s*eta_plus, s_max);
  if g_prev*g < 0: s <- max(s*eta_minus, s_min), g <- 0;  w <- w - sign(g)*s;  g_prev <- g
- Conjugate gradient (Nocedal & Wright, Numerical Optimization, 2nd ed.): beta =
  max(0, g.(g - g_prev) / g_prev.g_prev) (Polak-Ribiere, PR+), d = -g + beta*d_prev, with
  d = -g on the first step, every n steps, after a failed line search, when beta <= 0, and when
  g.d >= 0. Line search on phi(alpha) = L(w + alpha*d) + penalty, sufficient decrease
  phi(alpha) <= phi(0) + c1*alpha*g.d; first trial alpha0 = alpha_prev*slope_prev/slope (N&W
  eq. 3.60) or the initial step; if it passes, double alpha while the doubled one passes and
  lowers phi; if it fails, take the minimiser of the quadratic interpolating phi(0), the slope
  and phi(alpha), safeguarded to [0.1*alpha, 0.5*alpha], until one passes (at most max_trials
  evaluations in all; none passing: alpha = 0).

Run `python3 tests/reference/optimizers.py > tests/reference/optimizers_expected.rs`: it
prints the Rust constants that tests/optimizers.rs checks the engine against (the file is
checked in; running the script again gives it back byte for byte).
"""
import math

X = [(0.5, -1.0), (1.5, 0.25), (-0.75, 0.8), (0.1, -0.3)]
Y = [(0.2, 0.9), (0.7, 0.1), (0.4, 0.6), (0.95, 0.05)]
W1 = [[0.3, -0.6], [0.8, 0.2], [-0.4, 0.5]]   # W1[j][i]: input i -> hidden j
B1 = [0.1, -0.2, 0.05]
W2 = [[0.7, -0.5, 0.3], [-0.2, 0.6, 0.9]]     # W2[k][j]: hidden j -> output k
B2 = [0.0, 0.1]


def pack(w1, b1, w2, b2):
    return [w for row in w1 for w in row] + list(b1) + [w for row in w2 for w in row] + list(b2)


def unpack(theta):
    w1 = [theta[0:2], theta[2:4], theta[4:6]]
    b1 = theta[6:9]
    w2 = [theta[9:12], theta[12:15]]
    b2 = theta[15:17]
    return w1, b1, w2, b2


# Which entries of theta are weights (the L2 penalty applies to them, not to biases).
IS_WEIGHT = [True] * 6 + [False] * 3 + [True] * 6 + [False] * 2


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def loss_and_gradient(theta, rows=range(len(X))):
    """The mean loss and its gradient over the samples `rows` (all four: the full batch)."""
    rows = list(rows)
    w1, b1, w2, b2 = unpack(theta)
    total = 0.0
    g_w1 = [[0.0, 0.0] for _ in range(3)]
    g_b1 = [0.0] * 3
    g_w2 = [[0.0] * 3 for _ in range(2)]
    g_b2 = [0.0] * 2
    for x, y in ((X[r], Y[r]) for r in rows):
        h = [math.tanh(sum(w1[j][i] * x[i] for i in range(2)) + b1[j]) for j in range(3)]
        out = [sigmoid(sum(w2[k][j] * h[j] for j in range(3)) + b2[k]) for k in range(2)]
        total += 0.5 * sum((y[k] - out[k]) ** 2 for k in range(2))
        d_out = [(out[k] - y[k]) * out[k] * (1.0 - out[k]) for k in range(2)]   # dL/dz, output
        d_hid = [(1.0 - h[j] ** 2) * sum(w2[k][j] * d_out[k] for k in range(2)) for j in range(3)]
        for k in range(2):
            g_b2[k] += d_out[k]
            for j in range(3):
                g_w2[k][j] += d_out[k] * h[j]
        for j in range(3):
            g_b1[j] += d_hid[j]
            for i in range(2):
                g_w1[j][i] += d_hid[j] * x[i]
    n = len(rows)
    grad = [g / n for g in pack(g_w1, g_b1, g_w2, g_b2)]
    return total / n, grad


def with_penalty(theta, l2, rows=range(len(X))):
    loss, grad = loss_and_gradient(theta, rows)
    penalty = 0.5 * l2 * sum(t * t for t, w in zip(theta, IS_WEIGHT) if w)
    grad = [g + (l2 * t if w else 0.0) for g, t, w in zip(grad, theta, IS_WEIGHT)]
    return loss + penalty, grad, loss


def run_elementwise(name, steps, update, l2=0.0, batch=len(X)):
    """`steps` updates on batches of `batch` samples taken in order (no shuffling), the
    gradient plus the L2 penalty's; returns the parameters, each step's batch loss (without
    the penalty, as the engine reports it) and each parameter's optimizer state."""
    theta = pack(W1, B1, W2, B2)
    state = [dict() for _ in theta]
    losses = []
    for step in range(steps):
        start = step * batch % len(X)
        rows = range(start, min(start + batch, len(X)))
        _, grad, loss = with_penalty(theta, l2, rows)
        losses.append(loss)
        theta = [t + update(g, s) for t, g, s in zip(theta, grad, state)]
    return theta, losses, state


def nesterov(lr, mu):
    def update(g, s):
        s["m"] = mu * s.get("m", 0.0) + g
        return -lr * (g + mu * s["m"])
    return update


def adagrad(lr, eps):
    def update(g, s):
        s["G"] = s.get("G", 0.0) + g * g
        return -lr * g / (math.sqrt(s["G"]) + eps)
    return update


def rprop(eta_plus, eta_minus, s0, s_min, s_max):
    def update(g, s):
        step = s.get("step", s0)
        previous = s.get("g", 0.0)
        if previous * g > 0:
            step = min(step * eta_plus, s_max)
            s["decision"] = "grew"
        elif previous * g < 0:
            step = max(step * eta_minus, s_min)
            g = 0.0
            s["decision"] = "shrank"
        else:
            s["decision"] = "kept"
        s["step"] = step
        s["g"] = g
        s.setdefault("decisions", []).append(s["decision"])
        return -math.copysign(step, g) if g != 0 else 0.0
    return update


def conjugate_gradient(steps, l2, restart_every, alpha_init, c1, max_trials):
    theta = pack(W1, B1, W2, B2)
    n = restart_every or len(theta)
    d_prev = g_prev = None
    last = None          # (alpha, slope) of the last accepted step
    since_restart = 0
    failed = False
    log = []
    for _ in range(steps):
        phi0, g, loss = with_penalty(theta, l2)
        gg = sum(x * x for x in g)
        if d_prev is None:
            kind, beta = "first", 0.0
        elif failed:
            kind, beta = "after_failed_search", 0.0
        elif since_restart >= n:
            kind, beta = "periodic_restart", 0.0
        else:
            beta = sum(a * (a - b) for a, b in zip(g, g_prev)) / sum(b * b for b in g_prev)
            kind = "conjugate" if beta > 0 else "negative_beta"
            beta = max(0.0, beta)
        d = [-a + beta * b for a, b in zip(g, d_prev)] if kind == "conjugate" else [-a for a in g]
        slope = sum(a * b for a, b in zip(g, d))
        if kind == "conjugate" and slope >= 0:
            kind, beta = "not_descent", 0.0
            d = [-a for a in g]
            slope = sum(a * b for a, b in zip(g, d))

        def phi(alpha):
            return with_penalty([t + alpha * e for t, e in zip(theta, d)], l2)[0]

        def passes(alpha, value):
            return value <= phi0 + c1 * alpha * slope

        alpha = last[0] * last[1] / slope if last else alpha_init
        value = phi(alpha)
        trials = 1
        accepted = passes(alpha, value)
        branch = "longer" if accepted else "shorter"
        if accepted:
            while trials < max_trials:
                value2 = phi(2 * alpha)
                trials += 1
                if passes(2 * alpha, value2) and value2 < value:
                    alpha, value = 2 * alpha, value2
                else:
                    break
        else:
            while trials < max_trials:
                q = -slope * alpha * alpha / (2 * (value - phi0 - slope * alpha))
                alpha = min(max(q, 0.1 * alpha), 0.5 * alpha)
                value = phi(alpha)
                trials += 1
                if passes(alpha, value):
                    accepted = True
                    break
            if not accepted:
                alpha, value = 0.0, phi0
        log.append((loss, alpha, beta, trials, kind if accepted else kind + " (search failed)", branch))
        theta = [t + alpha * e for t, e in zip(theta, d)]
        since_restart = since_restart + 1 if kind == "conjugate" else 1
        failed = not accepted
        last = (alpha, slope) if accepted else None
        d_prev, g_prev = d, g
    return theta, log


def rust(name, values):
    print(f"pub const {name}: [f64; {len(values)}] = [{', '.join(repr(v) for v in values)}];")


if __name__ == "__main__":
    print("// Generated by tests/reference/optimizers.py (plain Python doubles, not the engine):")
    print("// python3 tests/reference/optimizers.py > tests/reference/optimizers_expected.rs")
    theta, losses, _ = run_elementwise("nesterov", 6, nesterov(0.5, 0.9))
    rust("NESTEROV_PARAMETERS", theta)
    rust("NESTEROV_LOSSES", losses)
    theta, losses, _ = run_elementwise("adagrad", 6, adagrad(0.3, 1e-8))
    rust("ADAGRAD_PARAMETERS", theta)
    rust("ADAGRAD_LOSSES", losses)
    theta, losses, state = run_elementwise("rprop", 10, rprop(1.2, 0.5, 0.1, 1e-6, 50.0))
    rust("RPROP_PARAMETERS", theta)
    rust("RPROP_LOSSES", losses)
    rust("RPROP_STEPS", [s["step"] for s in state])
    counts = {k: sum(s["decisions"].count(k) for s in state) for k in ("grew", "shrank", "kept")}
    print(f"// Rprop decisions over all parameters and steps: {counts}; last: {[s['decision'] for s in state]}")
    # Mini-batches of 2 (samples 1-2, then 3-4, ...) with an L2 penalty of 0.01 on the weights.
    for name, steps, update in (
        ("NESTEROV_L2_BATCH2", 6, nesterov(0.5, 0.9)),
        ("ADAGRAD_L2_BATCH2", 6, adagrad(0.3, 1e-8)),
        ("RPROP_L2_BATCH2", 10, rprop(1.2, 0.5, 0.1, 1e-6, 50.0)),
    ):
        theta, losses, _ = run_elementwise(name, steps, update, l2=0.01, batch=2)
        rust(f"{name}_PARAMETERS", theta)
        rust(f"{name}_LOSSES", losses)
    # The third run starts with a first trial far too long, so its line searches shorten.
    for name, l2, every, alpha0 in (("CG", 0.0, 0, 1.0), ("CG_L2", 0.01, 3, 1.0), ("CG_LONG", 0.0, 0, 1000.0)):
        theta, log = conjugate_gradient(8, l2, every, alpha0, 1e-4, 20)
        rust(f"{name}_PARAMETERS", theta)
        rust(f"{name}_LOSSES", [entry[0] for entry in log])
        rust(f"{name}_STEP_LENGTHS", [entry[1] for entry in log])
        rust(f"{name}_BETAS", [entry[2] for entry in log])
        print(f"pub const {name}_TRIALS: [u32; {len(log)}] = [{', '.join(str(e[3]) for e in log)}];")
        print(f"// {name} directions: {[e[4] for e in log]}")
        print(f"// {name} first trial then: {[e[5] for e in log]}")
