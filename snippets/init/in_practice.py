"""Examples for docs/init/in_practice.md: PyTorch's defaults and applying an init."""

# --8<-- [start:setup]
import math

import torch
from torch import nn
# --8<-- [end:setup]

# --8<-- [start:default-gain]
# nn.Linear and nn.Conv*d call kaiming_uniform_(weight, a=sqrt(5)):
gain = nn.init.calculate_gain("leaky_relu", math.sqrt(5))  # sqrt(2 / (1 + 5))
print(f"{gain:.6f} {math.sqrt(1 / 3):.6f}", gain == math.sqrt(1 / 3))  # == : bit for bit
#> 0.577350 0.577350 True
# bound = gain * sqrt(3 / fan_in) = sqrt(1/3) * sqrt(3 / fan_in) = 1 / sqrt(fan_in)
fan_in = 512
print(f"{gain * math.sqrt(3 / fan_in):.6f} {1 / math.sqrt(fan_in):.6f}",
      gain * math.sqrt(3 / fan_in) == 1 / math.sqrt(fan_in))
#> 0.044194 0.044194 True
# --8<-- [end:default-gain]

# --8<-- [start:default-linear]
torch.manual_seed(0)
layer = nn.Linear(512, 256)
bound = 1 / math.sqrt(512)
print(f"bound {bound:.5f}")
#> bound 0.04419
print(f"weight: min {layer.weight.min():+.5f}  max {layer.weight.max():+.5f}  "
      f"std {layer.weight.std():.5f} (uniform: bound/sqrt(3) = {bound / math.sqrt(3):.5f})")
#> weight: min -0.04419  max +0.04419  std 0.02549 (uniform: bound/sqrt(3) = 0.02552)
print(f"bias:   min {layer.bias.min():+.5f}  max {layer.bias.max():+.5f}")
#> bias:   min -0.04392  max +0.04385
# The same draws from the same seed: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for both.
torch.manual_seed(0)
weight = torch.empty(256, 512).uniform_(-bound, bound)
bias = torch.empty(256).uniform_(-bound, bound)
print(torch.equal(layer.weight, weight), torch.equal(layer.bias, bias))
#> True True
# --8<-- [end:default-linear]

# --8<-- [start:default-conv]
torch.manual_seed(0)
conv = nn.Conv2d(16, 32, kernel_size=3)
fan_in = 16 * 3 * 3  # in_channels * kernel height * kernel width
print(conv.weight.shape, f"bound {1 / math.sqrt(fan_in):.5f}, "
      f"max |w| {conv.weight.abs().max():.5f}, max |b| {conv.bias.abs().max():.5f}")
#> torch.Size([32, 16, 3, 3]) bound 0.08333, max |w| 0.08332, max |b| 0.07465
# --8<-- [end:default-conv]

# --8<-- [start:conv-fans]
# torch reads dimension 1 as the inputs and dimension 0 as the outputs:
# fan_in = size(1) * receptive field, fan_out = size(0) * receptive field.
# (torch computes this in a private helper; snippets/from_scratch/init.py has a public one.)
for shape in [(256, 512), (32, 16, 3, 3), (8, 4, 5), (32, 4, 3, 3)]:
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    print(f"{str(shape):<15} fan_in {fan_in:>4}  fan_out {fan_out:>4}")
#> (256, 512)      fan_in  512  fan_out  256
#> (32, 16, 3, 3)  fan_in  144  fan_out  288
#> (8, 4, 5)       fan_in   20  fan_out   40
#> (32, 4, 3, 3)   fan_in   36  fan_out  288
# A grouped convolution stores weights of shape (out, in / groups, *kernel), so
# nn.Conv2d(16, 32, 3, groups=4) has the (32, 4, 3, 3) weight of the last line.
print(nn.Conv2d(16, 32, 3, groups=4).weight.shape)
#> torch.Size([32, 4, 3, 3])
# --8<-- [end:conv-fans]

# --8<-- [start:counted-fans]
# The real fans, counted: with every weight 1 and every input 1, an output equals the
# number of products summed into it (fan_in), and the gradient of the sum of the outputs
# with respect to an input equals the number of products it enters (fan_out).
def counted_fans(layer, x):
    with torch.no_grad():
        nn.init.ones_(layer.weight)
    x = x.clone().requires_grad_()
    out = layer(x)
    out.sum().backward()
    return int(out.max()), int(x.grad.max())  # max: a pixel away from the borders


layers = {
    "Linear(512, 256)": nn.Linear(512, 256, bias=False),
    "Conv2d(16, 32, 3)": nn.Conv2d(16, 32, 3, bias=False),
    "Conv2d(16, 32, 3, groups=4)": nn.Conv2d(16, 32, 3, groups=4, bias=False),
    "ConvTranspose2d(16, 32, 3)": nn.ConvTranspose2d(16, 32, 3, bias=False),
    "ConvTranspose2d(16, 32, 3, groups=4)": nn.ConvTranspose2d(16, 32, 3, groups=4,
                                                               bias=False),
}
print(f"{'layer':<36} {'weight':<14}  (fan_in, fan_out)")
#> layer                                weight          (fan_in, fan_out)
for name, layer in layers.items():
    x = torch.ones(1, 512) if isinstance(layer, nn.Linear) else torch.ones(1, 16, 9, 9)
    torch_in, torch_out = nn.init._calculate_fan_in_and_fan_out(layer.weight)
    real_in, real_out = counted_fans(layer, x)
    print(f"{name:<36} {str(tuple(layer.weight.shape)):<14}  "
          f"torch ({torch_in:>3}, {torch_out:>3})  counted ({real_in:>3}, {real_out:>3})")
#> Linear(512, 256)                     (256, 512)      torch (512, 256)  counted (512, 256)
#> Conv2d(16, 32, 3)                    (32, 16, 3, 3)  torch (144, 288)  counted (144, 288)
#> Conv2d(16, 32, 3, groups=4)          (32, 4, 3, 3)   torch ( 36, 288)  counted ( 36,  72)
#> ConvTranspose2d(16, 32, 3)           (16, 32, 3, 3)  torch (288, 144)  counted (144, 288)
#> ConvTranspose2d(16, 32, 3, groups=4) (16, 8, 3, 3)   torch ( 72, 144)  counted ( 36,  72)
# --8<-- [end:counted-fans]

# --8<-- [start:transposed-fans]
# ConvTranspose2d(16, 32, 3): each output sums 16 * 3 * 3 = 144 products, each input enters
# 32 * 3 * 3 = 288, but torch's fan_in is 288 and its fan_out 144. Measured in float64, away
# from the borders: the std of the outputs, and of the gradient reaching the input.
g = torch.Generator().manual_seed(0)
deconv = nn.ConvTranspose2d(16, 32, 3, bias=False).double()
x = torch.randn(64, 16, 16, 16, generator=g, dtype=torch.float64, requires_grad=True)
for mode in ("fan_in", "fan_out"):
    nn.init.kaiming_normal_(deconv.weight, mode=mode, nonlinearity="linear", generator=g)
    out = deconv(x)
    x.grad = None
    out.backward(torch.randn(out.shape, generator=g, dtype=torch.float64))
    print(f"mode={mode!r:<9} output std {out[..., 2:-2, 2:-2].std():.2f}, "
          f"input-gradient std {x.grad[..., 2:-2, 2:-2].std():.2f}")
#> mode='fan_in'  output std 0.70, input-gradient std 0.99
#> mode='fan_out' output std 1.01, input-gradient std 1.42
print(f"sqrt(144 / 288) = {math.sqrt(144 / 288):.2f}, sqrt(288 / 144) = {math.sqrt(2):.2f}")
#> sqrt(144 / 288) = 0.71, sqrt(288 / 144) = 1.41
# PyTorch's own default init uses the same fan_in: its bound is 1/sqrt(288), not 1/sqrt(144).
torch.manual_seed(0)
print(f"max |w| {nn.ConvTranspose2d(16, 32, 3).weight.abs().max():.4f}, "
      f"1/sqrt(288) = {1 / math.sqrt(288):.4f}, 1/sqrt(144) = {1 / math.sqrt(144):.4f}")
#> max |w| 0.0589, 1/sqrt(288) = 0.0589, 1/sqrt(144) = 0.0833
# With stride 2 an output sums 16 * 1.5 * 1.5 = 36 products on average, not 144: neither
# mode keeps the outputs at std 1; a std of 1/sqrt(36) does, on average over the positions.
g_stride = torch.Generator().manual_seed(0)
w = torch.empty(16, 32, 3, 3, dtype=torch.float64)
for mode in ("fan_in", "fan_out", "1/sqrt(36)"):
    if mode == "1/sqrt(36)":
        nn.init.normal_(w, 0.0, 1 / 6, generator=g_stride)
    else:
        nn.init.kaiming_normal_(w, mode=mode, nonlinearity="linear", generator=g_stride)
    out = nn.functional.conv_transpose2d(x.detach(), w, stride=2)
    print(f"stride 2, {mode:<10} output std {out[..., 4:-4, 4:-4].std():.2f}")
#> stride 2, fan_in     output std 0.36
#> stride 2, fan_out    output std 0.51
#> stride 2, 1/sqrt(36) output std 1.03
# --8<-- [end:transposed-fans]

# --8<-- [start:x-at-w-fans]
# A parameter used as x @ W is stored (in, out): torch takes out = 128 for fan_in.
W = torch.empty(512, 128, dtype=torch.float64)  # in=512, out=128
x = torch.randn(1024, 512, generator=g, dtype=torch.float64)
nn.init.kaiming_normal_(W, nonlinearity="linear", generator=g)
print(f"kaiming_normal_(W):   std of x @ W {(x @ W).std():.2f}")
#> kaiming_normal_(W):   std of x @ W 2.00
nn.init.kaiming_normal_(W.T, nonlinearity="linear", generator=g)  # W.T is (out, in)
print(f"kaiming_normal_(W.T): std of x @ W {(x @ W).std():.2f}")
#> kaiming_normal_(W.T): std of x @ W 1.00
# --8<-- [end:x-at-w-fans]


# --8<-- [start:bias-before-batchnorm]
# A convolution followed by BatchNorm is usually built with bias=False: in training mode
# BatchNorm subtracts each channel's batch mean, which removes a constant bias exactly.
conv, bn = nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8)
x = torch.randn(4, 3, 8, 8, generator=torch.Generator().manual_seed(0))
with_bias = bn(conv(x))
print(torch.allclose(with_bias, bn(conv(x) - conv.bias.view(1, -1, 1, 1)), atol=1e-5))
#> True
# --8<-- [end:bias-before-batchnorm]


# --8<-- [start:apply-crash]
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, bias=False), nn.BatchNorm2d(8),
                                      nn.ReLU())
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(8 * 6 * 6, 10))


def init_weights_naive(module):
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        nn.init.zeros_(module.bias)  # the Conv2d has no bias: module.bias is None


torch.manual_seed(0)
net = Net()
try:
    net.apply(init_weights_naive)
except AttributeError as err:
    print(type(err).__name__, err)
#> AttributeError 'NoneType' object has no attribute 'zero_'
# --8<-- [end:apply-crash]

# --8<-- [start:apply]
def init_weights(module):
    """Kaiming for conv and linear weights, zero biases where there are any."""
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        if module.bias is not None:
            nn.init.zeros_(module.bias)


torch.manual_seed(0)
net = Net()
net.apply(init_weights)  # calls init_weights on every submodule, children first
for name, module in net.named_modules():
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        bias = "None" if module.bias is None else f"{module.bias.abs().max():.1f}"
        fan_in = module.weight[0].numel()
        print(f"{name:<11} weight std {module.weight.std():.3f} "
              f"(sqrt(2/{fan_in}) = {math.sqrt(2 / fan_in):.3f})  bias {bias}")
#> features.0  weight std 0.261 (sqrt(2/27) = 0.272)  bias None
#> head.1      weight std 0.082 (sqrt(2/288) = 0.083)  bias 0.0
print(net.features[1].weight[:3])  # BatchNorm keeps its own init: weight 1, bias 0
#> tensor([1., 1., 1.], grad_fn=<SliceBackward0>)
# The order in which apply visits the modules:
visited = []
net.apply(lambda module: visited.append(type(module).__name__))
print(" ".join(visited))
#> Conv2d BatchNorm2d ReLU Sequential Flatten Linear Sequential Net
# --8<-- [end:apply]

# --8<-- [start:modules-loop]
# The same with an explicit loop (it visits the parent first); handy to treat layers
# differently.
print(" ".join(type(module).__name__ for module in net.modules()))
#> Net Sequential Conv2d BatchNorm2d ReLU Sequential Flatten Linear
for module in net.modules():
    if isinstance(module, nn.Linear):
        nn.init.xavier_uniform_(module.weight)  # e.g. the classifier head only
print(f"head weight std {net.head[1].weight.std():.4f}, "
      f"xavier std {math.sqrt(2 / (288 + 10)) :.4f}")
#> head weight std 0.0820, xavier std 0.0819
# A submodule shared by two parents (built on the meta device: no draw): apply reaches it
# through each parent, modules() lists it once.
shared = nn.Linear(4, 4, device="meta")
tied = nn.Sequential(nn.Sequential(shared), nn.Sequential(shared))
calls = []
tied.apply(lambda module: calls.append(module is shared))
print("apply:", sum(calls), " modules():", sum(module is shared for module in tied.modules()))
#> apply: 2  modules(): 1
# --8<-- [end:modules-loop]

# --8<-- [start:no-grad]
# The init functions work in place under torch.no_grad(), so they accept parameters
# that require grad, and autograd records nothing. No `.data` is needed:
w = nn.Parameter(torch.empty(3, 3))
nn.init.ones_(w)
print(w.requires_grad, w.grad_fn)
#> True None
# Writing into a parameter yourself needs the same no_grad:
try:
    w.fill_(2.0)
except RuntimeError as err:
    print(err)
#> a leaf Variable that requires grad is being used in an in-place operation.
with torch.no_grad():
    w.fill_(2.0)
print(w[0])
#> tensor([2., 2., 2.], grad_fn=<SelectBackward0>)
# --8<-- [end:no-grad]

# --8<-- [start:generator-pitfall]
# Re-drawing the weight from a generator is not enough to make a layer reproducible:
def init_with(seed):
    g = torch.Generator().manual_seed(seed)
    layer = nn.Linear(4, 2)  # draws its default weight and bias from the global RNG
    nn.init.kaiming_uniform_(layer.weight, generator=g)
    return layer


a, b = init_with(42), init_with(42)
print("same weight:", torch.equal(a.weight, b.weight), " same bias:", torch.equal(a.bias, b.bias))
#> same weight: True  same bias: False
state = torch.random.get_rng_state()
init_with(42)
print("global RNG untouched:", torch.equal(state, torch.random.get_rng_state()))
#> global RNG untouched: False
# --8<-- [end:generator-pitfall]

# --8<-- [start:generator-every-tensor]
# Fix 1: draw every tensor from the generator (here PyTorch's default, by hand).
def init_all_with(seed):
    g = torch.Generator().manual_seed(seed)
    layer = nn.Linear(4, 2)
    bound = 1 / math.sqrt(layer.in_features)
    nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=g)
    nn.init.uniform_(layer.bias, -bound, bound, generator=g)
    return layer


a, b = init_all_with(42), init_all_with(42)
print("same weight:", torch.equal(a.weight, b.weight), " same bias:", torch.equal(a.bias, b.bias))
#> same weight: True  same bias: True
state = torch.random.get_rng_state()
init_all_with(42)
print("global RNG untouched:", torch.equal(state, torch.random.get_rng_state()))
#> global RNG untouched: False
# --8<-- [end:generator-every-tensor]

# --8<-- [start:fork-rng]
# Fix 2: seed the global RNG inside torch.random.fork_rng(), which restores it on exit.
def build_forked(seed):
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return nn.Linear(4, 2)  # PyTorch's default init, drawn from `seed`


state = torch.random.get_rng_state()
a, b = build_forked(42), build_forked(42)
print("same weight:", torch.equal(a.weight, b.weight), " same bias:", torch.equal(a.bias, b.bias))
#> same weight: True  same bias: True
print("global RNG untouched:", torch.equal(state, torch.random.get_rng_state()))
#> global RNG untouched: True
# --8<-- [end:fork-rng]

# --8<-- [start:meta-device]
# Fix 3: build on the meta device (shapes only: no memory, no random draws), allocate
# with to_empty (memory left uninitialized, like torch.empty), then initialize every
# parameter and buffer yourself.
def build_on_meta(seed):
    with torch.device("meta"):
        net = Net()
    net.to_empty(device="cpu")
    g = torch.Generator().manual_seed(seed)
    for module in net.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(module.weight, nonlinearity="relu", generator=g)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm2d):
            module.reset_parameters()  # weight 1, bias 0 and the running statistics
    return net


with torch.device("meta"):
    print(Net().features[0].weight.is_meta)
#> True
state = torch.random.get_rng_state()
a, b = build_on_meta(42), build_on_meta(42)
print("same state_dict:", all(torch.equal(a.state_dict()[k], b.state_dict()[k])
                              for k in a.state_dict()))
#> same state_dict: True
print("global RNG untouched:", torch.equal(state, torch.random.get_rng_state()))
#> global RNG untouched: True
# --8<-- [end:meta-device]
