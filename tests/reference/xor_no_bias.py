"""Independent reference for worked example 2 of ../shared/examples/README.md.

XOR with a 2 -> 2 -> 1 sigmoid network, no biases, loss 1/2 * sum over the four samples of
(y - yhat)^2 (summed, not averaged), full-batch gradient descent with learning rate 0.5.
Plain Python floats (IEEE double), textbook formulas, written without looking at the engine.
Prints the outputs, loss and weights after 1, 100, 1000 and 5000 epochs; tests/worked_examples.rs
holds these numbers.
"""
import math

X = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
Y = [0.0, 1.0, 1.0, 0.0]
W1 = [[0.417022004702574, 0.7203244934421581],        # W1[i][j]: input i -> hidden j
      [0.00011437481734488664, 0.30233257263183977]]
W2 = [0.14675589081711304, 0.0923385947687978]         # W2[j]: hidden j -> output
LR = 0.5


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def forward(x):
    h = [sigmoid(sum(x[i] * W1[i][j] for i in range(2))) for j in range(2)]
    out = sigmoid(sum(h[j] * W2[j] for j in range(2)))
    return h, out


def epoch():
    g1 = [[0.0, 0.0], [0.0, 0.0]]
    g2 = [0.0, 0.0]
    for x, y in zip(X, Y):
        h, out = forward(x)
        d_out = (out - y) * out * (1.0 - out)                 # dL/dz at the output
        d_hid = [h[j] * (1.0 - h[j]) * W2[j] * d_out for j in range(2)]
        for j in range(2):
            g2[j] += d_out * h[j]
            for i in range(2):
                g1[i][j] += d_hid[j] * x[i]
    for j in range(2):
        W2[j] -= LR * g2[j]
        for i in range(2):
            W1[i][j] -= LR * g1[i][j]


for n in range(1, 5001):
    epoch()
    if n in (1, 100, 1000, 5000):
        outs = [forward(x)[1] for x in X]
        loss = 0.5 * sum((y - o) ** 2 for y, o in zip(Y, outs))
        print(f"epoch {n}: outputs {[repr(o) for o in outs]} loss {loss!r}")
        print(f"  W1 {[[repr(w) for w in row] for row in W1]} W2 {[repr(w) for w in W2]}")
