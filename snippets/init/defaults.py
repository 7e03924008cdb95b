"""Examples for docs/init/defaults.md: the default initialization of every torch.nn module."""

# --8<-- [start:setup]
import inspect
import math
import re
import warnings

import torch
from torch import nn
# --8<-- [end:setup]

# --8<-- [start:introspection]
# Every class torch.nn exports that is an nn.Module, built with small arguments where it
# needs some: which ones own parameters?
classes = {name: cls for name, cls in vars(nn).items()
           if inspect.isclass(cls) and issubclass(cls, nn.Module)}
print(len(classes), "module classes in torch.nn", torch.__version__)
#> 163 module classes in torch.nn 2.13.0+cpu
no_args = {}
for name, cls in classes.items():
    try:  # on the meta device: shapes only, nothing drawn (nn.Transformer() is 44 M parameters)
        with warnings.catch_warnings(), torch.device("meta"):
            warnings.simplefilter("ignore")  # deprecation notes of nn.Container, nn.NLLLoss2d
            no_args[name] = cls()
    except (TypeError, ValueError):  # needs constructor arguments
        pass
has_params = sorted(name for name, m in no_args.items() if any(True for _ in m.parameters()))
print(len(no_args), "build without arguments; of those with parameters:", has_params)
#> 76 build without arguments; of those with parameters: ['LazyBatchNorm1d', 'LazyBatchNorm2d', 'LazyBatchNorm3d', 'LazyInstanceNorm1d', 'LazyInstanceNorm2d', 'LazyInstanceNorm3d', 'PReLU', 'Transformer']
# Every loss is an nn.Module too: the weight of CrossEntropyLoss is a buffer, not a parameter.
print(dict(nn.CrossEntropyLoss(weight=torch.ones(3)).named_buffers()).keys(),
      list(nn.CrossEntropyLoss(weight=torch.ones(3)).parameters()))
#> dict_keys(['weight']) []
# --8<-- [end:introspection]

# --8<-- [start:spot-check]
# The table's formulas, measured: std of each parameter / std of the stated distribution
# (uniform on [-b, b] has std b / sqrt(3)).
torch.manual_seed(0)
checks = [
    ("Linear(512, 256).weight", nn.Linear(512, 256).weight, 1 / math.sqrt(512) / math.sqrt(3)),
    ("Conv2d(16, 32, 3, groups=4).weight", nn.Conv2d(16, 32, 3, groups=4).weight,
     1 / math.sqrt(16 // 4 * 9) / math.sqrt(3)),
    ("ConvTranspose2d(16, 32, 3).weight", nn.ConvTranspose2d(16, 32, 3).weight,
     1 / math.sqrt(32 * 9) / math.sqrt(3)),
    ("Embedding(1000, 64).weight", nn.Embedding(1000, 64).weight, 1.0),
    ("LSTM(64, 128).weight_hh_l0", nn.LSTM(64, 128).weight_hh_l0, 1 / math.sqrt(128) / math.sqrt(3)),
    ("MultiheadAttention(256, 4).in_proj_weight", nn.MultiheadAttention(256, 4).in_proj_weight,
     math.sqrt(6 / (256 + 3 * 256)) / math.sqrt(3)),
]
for name, param, std in checks:
    print(f"{name:<42} {tuple(param.shape)!s:<16} measured/stated std {param.std() / std:.2f}")
#> Linear(512, 256).weight                    (256, 512)       measured/stated std 1.00
#> Conv2d(16, 32, 3, groups=4).weight         (32, 4, 3, 3)    measured/stated std 1.00
#> ConvTranspose2d(16, 32, 3).weight          (16, 32, 3, 3)   measured/stated std 0.99
#> Embedding(1000, 64).weight                 (1000, 64)       measured/stated std 1.00
#> LSTM(64, 128).weight_hh_l0                 (512, 128)       measured/stated std 1.00
#> MultiheadAttention(256, 4).in_proj_weight  (768, 256)       measured/stated std 1.00
# --8<-- [end:spot-check]

# --8<-- [start:embedding-default]
torch.manual_seed(0)
vocab, d = 1000, 512
embedding = nn.Embedding(vocab, d)
tokens = torch.randint(vocab, (8, 32))
print(f"Embedding output std {embedding(tokens).std():.3f}")
#> Embedding output std 0.999
# An embedding is a linear layer applied to one-hot vectors; Linear's default for
# in_features = vocab would start the same lookup 55 times smaller:
linear = nn.Linear(vocab, d, bias=False)
one_hot = nn.functional.one_hot(tokens, vocab).float()
print(f"Linear(vocab, d) on one-hot std {linear(one_hot).std():.4f} "
      f"(1/sqrt(3 * vocab) = {1 / math.sqrt(3 * vocab):.4f})")
#> Linear(vocab, d) on one-hot std 0.0182 (1/sqrt(3 * vocab) = 0.0183)
# N(0, 1) rows tied to the output layer (logits = h @ E.T, as GPT-2 and BERT do) give
# logits of std sqrt(d) * std(h): a first loss far above ln(vocab).
h = torch.randn(8 * 32, d)  # hidden states of std 1
targets = torch.randint(vocab, (8 * 32,))
for std in [1.0, 0.02]:
    with torch.no_grad():
        nn.init.normal_(embedding.weight, std=std)
        logits = h @ embedding.weight.T
        loss = nn.functional.cross_entropy(logits, targets)
    print(f"embedding std {std}: logits std {logits.std():6.2f}, first loss {loss:6.2f}")
#> embedding std 1.0: logits std  22.58, first loss  72.53
#> embedding std 0.02: logits std   0.45, first loss   7.04
print(f"ln(vocab) = {math.log(vocab):.2f}")
#> ln(vocab) = 6.91
# --8<-- [end:embedding-default]

# --8<-- [start:padding-idx]
torch.manual_seed(0)
embedding = nn.Embedding(10, 4, padding_idx=0)
print(embedding.weight[0], f"{embedding.weight[1:].std():.2f}")
#> tensor([0., 0., 0., 0.], grad_fn=<SelectBackward0>) 0.98
embedding(torch.tensor([0, 0, 3])).sum().backward()  # the padding row gets no gradient
print(embedding.weight.grad[0], embedding.weight.grad[3])
#> tensor([0., 0., 0., 0.]) tensor([1., 1., 1., 1.])
# Your own init overwrites the zero row: zero it again (reset_parameters() does both).
with torch.no_grad():
    nn.init.normal_(embedding.weight, std=0.02)
print(embedding.weight[0].abs().max() > 0)
#> tensor(True)
with torch.no_grad():
    embedding.weight[embedding.padding_idx].zero_()
print(embedding.weight[0])
#> tensor([0., 0., 0., 0.], grad_fn=<SelectBackward0>)
# --8<-- [end:padding-idx]

# --8<-- [start:rnn-defaults]
torch.manual_seed(0)
hidden = 256
lstm = nn.LSTM(64, hidden)
bound = 1 / math.sqrt(hidden)
for name, p in lstm.named_parameters():
    print(f"{name:<13} {tuple(p.shape)!s:<11} max |p| {p.abs().max() / bound:.3f} x bound")
#> weight_ih_l0  (1024, 64)  max |p| 1.000 x bound
#> weight_hh_l0  (1024, 256) max |p| 1.000 x bound
#> bias_ih_l0    (1024,)     max |p| 0.998 x bound
#> bias_hh_l0    (1024,)     max |p| 0.999 x bound
# The gates see bias_ih + bias_hh: a sum of two uniforms, std sqrt(2/3) * bound.
total = lstm.bias_ih_l0 + lstm.bias_hh_l0
print(f"std of the summed bias {total.std() / bound:.2f} x bound "
      f"(sqrt(2/3) = {math.sqrt(2 / 3):.2f}); its forget-gate slice starts at mean "
      f"{total[hidden:2 * hidden].mean():+.3f}")
#> std of the summed bias 0.79 x bound (sqrt(2/3) = 0.82); its forget-gate slice starts at mean +0.006
# --8<-- [end:rnn-defaults]

# --8<-- [start:attention-defaults]
torch.manual_seed(0)
E = 512
mha = nn.MultiheadAttention(E, num_heads=8)
q, k, v = mha.in_proj_weight.chunk(3)  # the packed (3E, E) matrix: W_q, W_k, W_v
square = nn.init.xavier_uniform_(torch.empty(E, E))  # what one (E, E) xavier call gives
print(f"W_q std {q.std():.4f}  W_k {k.std():.4f}  W_v {v.std():.4f}   "
      f"1/sqrt(2E) = {1 / math.sqrt(2 * E):.4f}")
#> W_q std 0.0312  W_k 0.0312  W_v 0.0313   1/sqrt(2E) = 0.0312
print(f"xavier_uniform_ on one (E, E): {square.std():.4f}   1/sqrt(E) = {1 / math.sqrt(E):.4f}")
#> xavier_uniform_ on one (E, E): 0.0442   1/sqrt(E) = 0.0442
# With kdim/vdim set, the three are separate (E, d) matrices, each with its own xavier:
separate = nn.MultiheadAttention(E, num_heads=8, kdim=E, vdim=E // 2)
print(f"separate: W_q {separate.q_proj_weight.std():.4f}, "
      f"W_v (E, E/2) {separate.v_proj_weight.std():.4f}")
#> separate: W_q 0.0442, W_v (E, E/2) 0.0511
# out_proj keeps nn.Linear's default, and both biases start at zero:
print(f"out_proj std {mha.out_proj.weight.std():.4f} (1/sqrt(3E) = {1 / math.sqrt(3 * E):.4f}), "
      f"biases zero: {bool(mha.in_proj_bias.eq(0).all() and mha.out_proj.bias.eq(0).all())}")
#> out_proj std 0.0255 (1/sqrt(3E) = 0.0255), biases zero: True
# --8<-- [end:attention-defaults]

# --8<-- [start:transformer-deep-copy]
torch.manual_seed(0)
layer = nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128)
encoder = nn.TransformerEncoder(layer, num_layers=6, enable_nested_tensor=False)
first, last = encoder.layers[0], encoder.layers[5]
print(torch.equal(first.linear1.weight, last.linear1.weight),
      torch.equal(first.self_attn.in_proj_weight, last.self_attn.in_proj_weight),
      first.linear1.weight is last.linear1.weight)
#> True True False
# Six equal copies, not six shared ones: they will train apart, but they start alike.
# Re-draw each layer's children. MultiheadAttention's method is private and leaves
# out_proj.weight alone: reset out_proj first, then call it, so its bias ends at zero.
for block in encoder.layers:
    for child in block.children():
        if isinstance(child, nn.MultiheadAttention):
            child.out_proj.reset_parameters()  # Linear's default (its bias too) ...
            child._reset_parameters()  # ... then W_q, W_k, W_v and the zero biases
        elif hasattr(child, "reset_parameters"):
            child.reset_parameters()
print(torch.equal(first.linear1.weight, last.linear1.weight),
      torch.equal(first.self_attn.out_proj.weight, last.self_attn.out_proj.weight),
      bool(first.self_attn.out_proj.bias.eq(0).all()))
#> False False True
# nn.Transformer re-draws every matrix itself, after building its layers:
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # a note about nested tensors
    model = nn.Transformer(d_model=64, nhead=4, num_encoder_layers=2, dim_feedforward=128)
a, b = model.encoder.layers[0].linear1, model.encoder.layers[1].linear1
print(torch.equal(a.weight, b.weight), torch.equal(a.bias, b.bias))
#> False True
# ... with xavier_uniform_ on every parameter of dim > 1, so its linear1 is not nn.Linear's
# default (U(+-1/sqrt(64)), std 0.0722); the biases (dim 1) stay copies.
print(f"linear1 std {a.weight.std():.4f}: xavier (64 -> 128) "
      f"{math.sqrt(2 / (64 + 128)):.4f}, Linear default {1 / math.sqrt(3 * 64):.4f}")
#> linear1 std 0.1023: xavier (64 -> 128) 0.1021, Linear default 0.0722
# --8<-- [end:transformer-deep-copy]

# --8<-- [start:norm-defaults]
bn = nn.BatchNorm1d(4)
print(bn.weight.data, bn.bias.data)
#> tensor([1., 1., 1., 1.]) tensor([0., 0., 0., 0.])
print({name: buf.tolist() for name, buf in bn.named_buffers()})
#> {'running_mean': [0.0, 0.0, 0.0, 0.0], 'running_var': [1.0, 1.0, 1.0, 1.0], 'num_batches_tracked': 0}
# InstanceNorm has no parameters and no running statistics unless asked for:
print(list(nn.InstanceNorm2d(4).parameters()), len(list(nn.InstanceNorm2d(4, affine=True).parameters())))
#> [] 2
print(nn.RMSNorm(4).weight.data, nn.PReLU().weight.data)
#> tensor([1., 1., 1., 1.]) tensor([0.2500])
# --8<-- [end:norm-defaults]

# --8<-- [start:lazy-modules]
lazy = nn.LazyLinear(256)
print(type(lazy.weight).__name__)
#> UninitializedParameter
for init in [nn.init.kaiming_normal_, nn.init.normal_]:
    try:
        init(lazy.weight)
    except (RuntimeError, ValueError) as error:  # drop the function's address
        print(f"{type(error).__name__}: {re.sub(r' at 0x[0-9a-f]+', '', str(error))}")
#> RuntimeError: Can't access the shape of an uninitialized parameter or buffer. This error usually happens in `load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call `forward` to initialize the parameters before accessing their attributes.
#> ValueError: Attempted to use an uninitialized parameter in <function normal_>. This error happens when you are using a `LazyModule` or explicitly manipulating `torch.nn.parameter.UninitializedParameter` objects. When using LazyModules Call `forward` with a dummy batch to initialize the parameters before calling torch functions
# A first forward sizes it and runs the default (Linear's); initialize after that.
torch.manual_seed(0)
lazy(torch.zeros(2, 512))
torch.manual_seed(0)
eager = nn.Linear(512, 256)
print(type(lazy).__name__, tuple(lazy.weight.shape), torch.equal(lazy.weight, eager.weight))
#> Linear (256, 512) True
# --8<-- [end:lazy-modules]

# --8<-- [start:bilinear-fans]
# y_k = x1^T W_k x2 + b_k sums in1 * in2 products, but the default bound is 1/sqrt(in1):
# the output variance is in1 * in2 * Var(W) * Var(x1) Var(x2) = in2 / 3 for unit inputs.
torch.manual_seed(0)
for in2 in [4, 64, 256]:
    bilinear = nn.Bilinear(64, in2, 16, bias=False, dtype=torch.float64)
    x1 = torch.randn(2048, 64, dtype=torch.float64)
    x2 = torch.randn(2048, in2, dtype=torch.float64)
    print(f"in2 {in2:>4}: output std {bilinear(x1, x2).std():6.3f}   sqrt(in2/3) {math.sqrt(in2 / 3):6.3f}")
#> in2    4: output std  1.149   sqrt(in2/3)  1.155
#> in2   64: output std  4.595   sqrt(in2/3)  4.619
#> in2  256: output std  9.235   sqrt(in2/3)  9.238
# torch's fan helper reads the (out, in1, in2) weight like a 1-d convolution kernel:
weight = torch.empty(16, 64, 256)
print(nn.init._calculate_fan_in_and_fan_out(weight))
#> (16384, 4096)
# fan_in = in1 * in2 is the real count of products in one output, so kaiming_* with
# mode='fan_in' and nonlinearity='linear' give output std 1; 'fan_out' = out * in2 counts how many products
# one x1_i enters: it keeps the gradient reaching x1 at std 1 (that of x2 needs out * in1).
nn.init.kaiming_normal_(bilinear.weight, nonlinearity="linear")
print(f"after kaiming_normal_ (fan_in): output std {bilinear(x1, x2).std():.3f}")
#> after kaiming_normal_ (fan_in): output std 1.004
# --8<-- [end:bilinear-fans]
