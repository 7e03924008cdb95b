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
# For a weight of shape (out, in, *kernel): receptive field = prod(kernel),
# fan_in = in * receptive field, fan_out = out * receptive field.
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


# --8<-- [start:apply]
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.BatchNorm2d(8))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(8 * 6 * 6, 10))


def init_weights(module):
    """Kaiming for conv and linear weights, zero biases; other layers keep their init."""
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        nn.init.zeros_(module.bias)


torch.manual_seed(0)
net = Net()
net.apply(init_weights)  # calls init_weights on every submodule, children first
for name, module in net.named_modules():
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        print(f"{name:<12} weight std {module.weight.std():.4f}  bias {module.bias.abs().max()}")
#> features.0   weight std 0.2823  bias 0.0
#> head.1       weight std 0.0828  bias 0.0
print(net.features[2].weight[:3])  # BatchNorm keeps its own init: weight 1, bias 0
#> tensor([1., 1., 1.], grad_fn=<SliceBackward0>)
# --8<-- [end:apply]

# --8<-- [start:modules-loop]
# The same with an explicit loop; handy to treat layers differently.
for module in net.modules():
    if isinstance(module, nn.Linear):
        nn.init.xavier_uniform_(module.weight)  # e.g. the classifier head only
print(f"head weight std {net.head[1].weight.std():.4f}, "
      f"xavier std {math.sqrt(2 / (288 + 10)) :.4f}")
#> head weight std 0.0821, xavier std 0.0819
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

# --8<-- [start:generator]
# A dedicated generator makes an init reproducible without touching the global seed.
def init_with(seed):
    g = torch.Generator().manual_seed(seed)
    layer = nn.Linear(4, 2)
    nn.init.kaiming_uniform_(layer.weight, generator=g)
    return layer.weight


print(torch.equal(init_with(42), init_with(42)), torch.equal(init_with(42), init_with(43)))
#> True False
# --8<-- [end:generator]
