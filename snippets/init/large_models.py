"""Examples for docs/init/large_models.md: initializing a model too large to build twice."""

# --8<-- [start:setup]
import io
import time
import weakref

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode


def mlp(width, depth):
    return nn.Sequential(*[nn.Linear(width, width) for _ in range(depth)])


def init_weights(module, g):
    """The initialization we want: N(0, 0.02) weights, zero biases, from generator g."""
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, std=0.02, generator=g)
        if module.bias is not None:
            nn.init.zeros_(module.bias)


def same(a, b):
    """True when two modules hold bit-for-bit equal parameters and buffers."""
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)
# --8<-- [end:setup]

# --8<-- [start:meta-build]
with torch.device("meta"):
    model = mlp(4096, 4)  # shapes, dtypes and module structure; no memory, no random draws
p = model[0].weight
print(p.is_meta, p.device, tuple(p.shape), p.dtype)
#> True meta (4096, 4096) torch.float32
n = sum(p.numel() for p in model.parameters())
print(f"{n:,} parameters, {sum(p.nbytes for p in model.parameters()) / 1e6:.0f} MB it would take")
#> 67,125,248 parameters, 269 MB it would take
with torch.device("meta"):
    huge = mlp(16384, 100)  # more memory than most machines have: nothing is allocated
print(f"{sum(p.numel() for p in huge.parameters()) / 1e9:.1f} G parameters, "
      f"{sum(p.nbytes for p in huge.parameters()) / 1e9:.0f} GB it would take")
#> 26.8 G parameters, 107 GB it would take
# --8<-- [end:meta-build]

# --8<-- [start:meta-materialize]
# The usual route: build (default init drawn from the global RNG), then initialize.
reference = mlp(1024, 4)
g = torch.Generator().manual_seed(0)
reference.apply(lambda m: init_weights(m, g))

# The meta route: shapes only, then uninitialized memory, then the same initialization.
with torch.device("meta"):
    model = mlp(1024, 4)
model.to_empty(device="cpu")  # memory as torch.empty leaves it: arbitrary bytes, never read them
print(model[0].weight.device, model[0].weight.is_meta)
#> cpu False
g = torch.Generator().manual_seed(0)
model.apply(lambda m: init_weights(m, g))  # same seed, same modules in the same order
print("bit for bit equal:", same(model, reference))
#> bit for bit equal: True
# --8<-- [end:meta-materialize]

# --8<-- [start:meta-to-error]
with torch.device("meta"):
    model = mlp(1024, 4)
try:
    model.to("cpu")
except NotImplementedError as e:
    print(f"{type(e).__name__}: {e}")
#> NotImplementedError: Cannot copy out of meta tensor; no data! Please use torch.nn.Module.to_empty() instead of torch.nn.Module.to() when moving module from meta to a different device.
# --8<-- [end:meta-to-error]

# --8<-- [start:meta-buffers]
def poison(module):
    """Fill every parameter and buffer with nan (integers with -1). A stand-in for the
    arbitrary bytes to_empty leaves: whatever is not initialized afterwards shows."""
    with torch.no_grad():
        for t in [*module.parameters(), *module.buffers()]:
            t.fill_(float("nan") if t.is_floating_point() else -1)


def not_initialized(module):
    return [name for name, t in [*module.named_parameters(), *module.named_buffers()]
            if (t.isnan() if t.is_floating_point() else t == -1).any()]


class Rotary(nn.Module):
    """RoPE's inverse frequencies: a buffer computed in __init__, not in the state_dict."""

    def __init__(self, dim, base=10000.0):
        super().__init__()
        self.dim, self.base = dim, base
        self.register_buffer("inv_freq", self.compute_inv_freq(), persistent=False)

    def compute_inv_freq(self):
        return 1.0 / self.base ** (torch.arange(0, self.dim, 2, dtype=torch.float32) / self.dim)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(16, 16)
        self.bn = nn.BatchNorm1d(16)
        self.rope = Rotary(16)


with torch.device("meta"):
    block = Block()
block.to_empty(device="cpu")
poison(block)
g = torch.Generator().manual_seed(0)
block.apply(lambda m: init_weights(m, g))
print(not_initialized(block))
#> ['bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked', 'rope.inv_freq']
print("rope.inv_freq" in block.state_dict())  # non-persistent: no checkpoint restores it
#> False
block.bn.reset_parameters()  # weight 1, bias 0, and reset_running_stats(): mean 0, var 1, count 0
with torch.no_grad():
    block.rope.inv_freq.copy_(block.rope.compute_inv_freq())
print(not_initialized(block))
#> []
built = Block()
print(torch.equal(block.rope.inv_freq, built.rope.inv_freq),
      torch.equal(block.bn.running_var, built.bn.running_var))
#> True True
# --8<-- [end:meta-buffers]

# --8<-- [start:meta-tied-weights]
class TiedLM(nn.Module):
    def __init__(self, vocab=1000, dim=64):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying: one Parameter in two modules


def tied(lm):
    params = list(lm.parameters())  # each Parameter once, however many modules hold it
    return (f"tied {lm.lm_head.weight is lm.wte.weight}, {len(params)} Parameter(s), "
            f"{sum(p.numel() for p in params):,} numbers")


with torch.device("meta"):
    lm = TiedLM()
print("on meta:        ", tied(lm))
#> on meta:         tied True, 1 Parameter(s), 64,000 numbers
lm.to_empty(device="cpu")
print("after to_empty: ", tied(lm))
#> after to_empty:  tied False, 2 Parameter(s), 128,000 numbers
lm.lm_head.weight = lm.wte.weight  # tie again, before initializing
print("tied again:     ", tied(lm))
#> tied again:      tied True, 1 Parameter(s), 64,000 numbers
lm.to_empty(device="cpu")  # cpu to cpu: `param.data = ...` works, the Parameter stays
print("cpu to_empty:   ", tied(lm))
#> cpu to_empty:    tied True, 1 Parameter(s), 64,000 numbers
# Or let _apply swap the tensors in place, which keeps every reference to a Parameter:
torch.__future__.set_swap_module_params_on_conversion(True)
try:
    with torch.device("meta"):
        lm = TiedLM()
    lm.to_empty(device="cpu")
    print("with swap:      ", tied(lm))
finally:
    torch.__future__.set_swap_module_params_on_conversion(False)
#> with swap:       tied True, 1 Parameter(s), 64,000 numbers
# --8<-- [end:meta-tied-weights]

# --8<-- [start:skip-init]
state = torch.random.get_rng_state()
layer = nn.utils.skip_init(nn.Linear, 1024, 1024)  # Linear(1024, 1024, device="meta").to_empty(...)
print(layer.weight.device, tuple(layer.weight.shape),
      "global RNG untouched:", torch.equal(state, torch.random.get_rng_state()))
#> cpu (1024, 1024) global RNG untouched: True
init_weights(layer, torch.Generator().manual_seed(0))  # its memory is uninitialized until now
print(f"weight std {layer.weight.std():.4f}, max |bias| {layer.bias.abs().max():.1f}")
#> weight std 0.0200, max |bias| 0.0
# --8<-- [end:skip-init]

# --8<-- [start:skip-init-device]
class NoDevice(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n, n))


class ForwardsKwargs(nn.Module):  # passes device on, but through **factory_kwargs
    def __init__(self, n, **factory_kwargs):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n, n, **factory_kwargs))


class IgnoresDevice(nn.Module):  # accepts device, never uses it
    def __init__(self, n, device=None):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n, n))


for cls in (NoDevice, ForwardsKwargs):
    try:
        nn.utils.skip_init(cls, 4)
    except RuntimeError as e:
        print(f"{cls.__name__}: {type(e).__name__}: {e}")
#> NoDevice: RuntimeError: Module must support a 'device' arg to skip initialization
#> ForwardsKwargs: RuntimeError: Module must support a 'device' arg to skip initialization
state = torch.random.get_rng_state()
module = nn.utils.skip_init(IgnoresDevice, 4)  # no error: randn ran on the CPU, then
print(module.weight.device,                    # to_empty replaced its values
      "global RNG untouched:", torch.equal(state, torch.random.get_rng_state()))
#> cpu global RNG untouched: False
with torch.device("meta"):  # the context manager reaches factory calls made without device
    print(IgnoresDevice(4).weight.device)
#> meta
# One constructor call: a module skips the whole tree only if it passes device to every child.
class MLPBlock(nn.Module):
    def __init__(self, dim, device=None):
        super().__init__()
        self.fc1 = nn.Linear(dim, 4 * dim, device=device)
        self.fc2 = nn.Linear(4 * dim, dim, device=device)


state = torch.random.get_rng_state()
block = nn.utils.skip_init(MLPBlock, 1024)
print("global RNG untouched:", torch.equal(state, torch.random.get_rng_state()))
#> global RNG untouched: True
try:  # the Linear argument is built (and initialized) before skip_init is even called
    nn.utils.skip_init(nn.Sequential, nn.Linear(1024, 1024))
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: Module must support a 'device' arg to skip initialization
# --8<-- [end:skip-init-device]

# --8<-- [start:reset-parameters-loop]
def build():
    return nn.Sequential(nn.Embedding(1000, 64), nn.Linear(64, 256), nn.GELU(),
                         nn.Linear(256, 64), nn.LayerNorm(64))


def redraw(modules):
    for m in modules:
        if hasattr(m, "reset_parameters"):
            m.reset_parameters()  # the module's own default, from the global RNG


torch.manual_seed(0)
built = build()
with torch.device("meta"):
    model = build()
model.to_empty(device="cpu")
torch.manual_seed(0)
redraw(model.modules())  # the order in which the constructor drew them
print("same as built:", same(model, built))
#> same as built: True
torch.manual_seed(0)
redraw(reversed(list(model.modules())))  # same seed, same distributions, another order
print("same as built:", same(model, built))
#> same as built: False
# --8<-- [end:reset-parameters-loop]

# --8<-- [start:reset-parameters-table]
with torch.device("meta"):
    examples = [nn.Linear(8, 8), nn.Conv2d(3, 8, 3), nn.Embedding(10, 8), nn.LayerNorm(8),
                nn.RMSNorm(8), nn.BatchNorm1d(8), nn.LSTM(8, 8), nn.MultiheadAttention(8, 2),
                nn.TransformerEncoderLayer(8, 2, 16, batch_first=True),
                nn.Transformer(8, 2, 1, 1, 16, batch_first=True)]
print(f"{'module':<24} {'own tensors':>11}  reset_parameters  _reset_parameters")
#> module                   own tensors  reset_parameters  _reset_parameters
for m in examples:
    own = len([*m.parameters(recurse=False), *m.buffers(recurse=False)])
    print(f"{type(m).__name__:<24} {own:>11}  {str(hasattr(m, 'reset_parameters')):<16}  "
          f"{hasattr(m, '_reset_parameters')}")
#> Linear                             2  True              False
#> Conv2d                             2  True              False
#> Embedding                          1  True              False
#> LayerNorm                          2  True              False
#> RMSNorm                            1  True              False
#> BatchNorm1d                        5  True              False
#> LSTM                               4  True              False
#> MultiheadAttention                 2  False             True
#> TransformerEncoderLayer            0  False             False
#> Transformer                        0  False             True
# --8<-- [end:reset-parameters-table]

# --8<-- [start:reset-transformer-layer]
def reset(module):
    """A module's own default init: reset_parameters, or MHA's private _reset_parameters."""
    if hasattr(module, "reset_parameters"):
        module.reset_parameters()
    elif isinstance(module, nn.MultiheadAttention):
        module._reset_parameters()  # xavier in_proj_weight, zero in_proj_bias and out_proj.bias


def encoder_layer():
    return nn.TransformerEncoderLayer(64, 4, 256, dropout=0.0, batch_first=True)


torch.manual_seed(0)
built = encoder_layer()
with torch.device("meta"):
    layer = encoder_layer()
layer.to_empty(device="cpu")
poison(layer)
torch.manual_seed(0)
redraw(layer.modules())  # reset_parameters only
print(not_initialized(layer))
#> ['self_attn.in_proj_weight', 'self_attn.in_proj_bias']
print(f"out_proj.bias: max |b| {layer.self_attn.out_proj.bias.abs().max():.3f}, "
      f"built {built.self_attn.out_proj.bias.abs().max():.3f}")
#> out_proj.bias: max |b| 0.124, built 0.000


def differing(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    return [k for k in sa if not torch.equal(sa[k], sb[k])]


torch.manual_seed(0)
for m in layer.modules():  # parents first: MHA before its out_proj
    reset(m)
print("modules():", differing(layer, built))
#> modules(): ['self_attn.in_proj_weight', 'self_attn.out_proj.weight', 'self_attn.out_proj.bias']
torch.manual_seed(0)
layer.apply(reset)  # children first: out_proj, then MHA, as MHA's constructor does
print("apply():  ", differing(layer, built))
#> apply():   []
# --8<-- [end:reset-transformer-layer]

# --8<-- [start:reset-transformer-encoder]
torch.manual_seed(0)
built = nn.TransformerEncoder(encoder_layer(), num_layers=2)  # deep copies of one layer
with torch.device("meta"):
    encoder = nn.TransformerEncoder(encoder_layer(), num_layers=2)
encoder.to_empty(device="cpu")
torch.manual_seed(0)
encoder.apply(reset)  # each layer draws its own
for name, enc in (("built", built), ("meta + reset", encoder)):
    print(f"{name:<13} layer 0 == layer 1:",
          torch.equal(enc.layers[0].linear1.weight, enc.layers[1].linear1.weight))
#> built         layer 0 == layer 1: True
#> meta + reset  layer 0 == layer 1: False
# --8<-- [end:reset-transformer-encoder]

# --8<-- [start:cost-meter]
class Meter(TorchDispatchMode):
    """Counts, for the ops run inside it: the bytes of CPU tensor storage they create
    (live and peak; each storage counted until it is freed) and the random numbers drawn."""

    RANDOM = {torch.ops.aten.uniform_.default, torch.ops.aten.normal_.default}

    def __init__(self):
        super().__init__()
        self.live = self.peak = self.drawn = 0
        self.storages = set()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func in self.RANDOM and args[0].device.type == "cpu":
            self.drawn += args[0].numel()
        if not func._schema.is_mutable and not func.is_view:  # a new tensor
            for t in out if isinstance(out, tuple | list) else (out,):
                if isinstance(t, torch.Tensor) and t.device.type == "cpu":
                    self.track(t.untyped_storage())
        return out

    def track(self, storage):
        key, nbytes = storage.data_ptr(), storage.nbytes()
        if key in self.storages or nbytes == 0:
            return
        self.storages.add(key)
        self.live += nbytes
        self.peak = max(self.peak, self.live)
        weakref.finalize(storage, self.free, key, nbytes)  # runs when the memory is freed

    def free(self, key, nbytes):
        self.storages.discard(key)
        self.live -= nbytes


buffer = io.BytesIO()
torch.save({"w": torch.ones(1000)}, buffer)
buffer.seek(0)
with Meter() as meter:
    loaded = torch.load(buffer)["w"]  # storage made by the unpickler, not by an aten op
    grown = torch.empty(0).resize_(1000)  # grown in place after it was counted (0 bytes)
print(f"{loaded.nbytes + grown.nbytes:,} bytes made, {meter.peak:,} counted")
#> 8,000 bytes made, 0 counted
# --8<-- [end:cost-meter]

# --8<-- [start:cost-routes]
routes = {}
with Meter() as meter:  # build with the default init, then initialize
    model = mlp(4096, 1)  # 16.8 M parameters, 67 MB
    g = torch.Generator().manual_seed(0)
    model.apply(lambda m: init_weights(m, g))
routes["default, then init"] = meter
checkpoint = model.state_dict()  # stands in for torch.load(...): 67 MB already in memory
del model

with Meter() as meter:  # meta, to_empty, initialize
    with torch.device("meta"):
        model = mlp(4096, 1)
    model.to_empty(device="cpu")
    g = torch.Generator().manual_seed(0)
    model.apply(lambda m: init_weights(m, g))
routes["meta, to_empty, init"] = meter
print("same parameters as the first route:",
      all(torch.equal(checkpoint[k], v) for k, v in model.state_dict().items()))
#> same parameters as the first route: True
del model

with Meter() as meter:  # build with the default init, then load the checkpoint
    for t in checkpoint.values():  # the checkpoint is in memory too: count it from the start
        meter.track(t.untyped_storage())
    model = mlp(4096, 1)
    model.load_state_dict(checkpoint)  # copies into the model's own memory
routes["default, then load"] = meter
del model

with Meter() as meter:  # meta, then take the checkpoint's tensors as the parameters
    for t in checkpoint.values():
        meter.track(t.untyped_storage())
    with torch.device("meta"):
        model = mlp(4096, 1)
    model.load_state_dict(checkpoint, assign=True)
routes["meta, load(assign=True)"] = meter
print("model uses the checkpoint's memory:",
      model[0].weight.data_ptr() == checkpoint["0.weight"].data_ptr())
#> model uses the checkpoint's memory: True
with torch.no_grad():
    model[0].bias.fill_(1.0)  # one memory: writing the model writes the checkpoint dict
print(checkpoint["0.bias"][:3])
#> tensor([1., 1., 1.])

print(f"{'route':<24} {'peak MB':>7} {'random numbers':>14}")
#> route                    peak MB random numbers
for name, m in routes.items():
    print(f"{name:<24} {m.peak / 1e6:>7.0f} {m.drawn / 1e6:>12.1f} M")
#> default, then init            67         33.6 M
#> meta, to_empty, init          67         16.8 M
#> default, then load           134         16.8 M
#> meta, load(assign=True)       67          0.0 M
# --8<-- [end:cost-routes]

# --8<-- [start:load-assign]
checkpoint = TiedLM().state_dict()  # both keys, one storage
with torch.device("meta"):
    lm = TiedLM()
lm.load_state_dict(checkpoint, assign=True)  # each module gets its own Parameter
print("after assign:", tied(lm))
#> after assign: tied False, 2 Parameter(s), 128,000 numbers
lm.lm_head.weight = lm.wte.weight  # tie again after loading
print("tied again:  ", tied(lm))
#> tied again:   tied True, 1 Parameter(s), 64,000 numbers

checkpoint = Block().state_dict()  # no rope.inv_freq: it is not persistent
with torch.device("meta"):
    block = Block()
block.load_state_dict(checkpoint, assign=True)
print(block.proj.weight.device, block.bn.running_var.device, block.rope.inv_freq.device)
#> cpu cpu meta
block.rope.inv_freq = block.rope.compute_inv_freq()  # recompute it, on the CPU
print(block.rope.inv_freq.device, "rope.inv_freq" in block.state_dict())
#> cpu False

bf16 = {k: v.bfloat16() if v.is_floating_point() else v for k, v in checkpoint.items()}
with torch.device("meta"):
    block = Block()
block.load_state_dict(bf16, assign=True)  # the checkpoint's tensors, dtype and all
print("assign:", block.proj.weight.dtype)
#> assign: torch.bfloat16
block = Block()
block.load_state_dict(bf16)  # copy_ converts into the model's own float32 tensors
print("copy:  ", block.proj.weight.dtype)
#> copy:   torch.float32
# --8<-- [end:load-assign]

# --8<-- [start:cost-time]
start = time.perf_counter()
mlp(4096, 1)  # the default construction, timed outside any Meter
t_default = time.perf_counter() - start


def time_meta_build():
    start = time.perf_counter()
    with torch.device("meta"):
        mlp(4096, 1)
    return time.perf_counter() - start


t_meta = min(time_meta_build() for _ in range(5))
# A loose bound, so that a slow or busy machine prints the same line (ours: 284x to 947x).
print("meta construction > 20x faster than the default one:", t_meta * 20 < t_default)
#> meta construction > 20x faster than the default one: True
# --8<-- [end:cost-time]

# --8<-- [start:cost-limits]
class NormScaled(nn.Module):  # its __init__ reads a parameter's value
    def __init__(self, dim):
        super().__init__()
        self.linear = nn.Linear(dim, dim)
        self.scale = 1.0 / self.linear.weight.norm().item()


try:
    with torch.device("meta"):
        NormScaled(64)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: Tensor.item() cannot be called on meta tensors
# weight_norm computes g = ||v|| from the weight when it is registered; on meta there is no
# weight, and Linear.reset_parameters() writes into the computed weight, not into g and v.
with torch.device("meta"):
    wn = nn.utils.parametrizations.weight_norm(nn.Linear(64, 64))
wn.to_empty(device="cpu")
poison(wn)
wn.reset_parameters()
print(not_initialized(wn))
#> ['parametrizations.weight.original0', 'parametrizations.weight.original1']
with torch.device("meta"):  # instead: initialize the plain layer, then add weight_norm
    linear = nn.Linear(64, 64)
linear.to_empty(device="cpu")
linear.reset_parameters()
print(not_initialized(nn.utils.parametrizations.weight_norm(linear)))
#> []


class CpuTable(nn.Module):  # creates its buffer with an explicit device
    def __init__(self):
        super().__init__()
        self.register_buffer("table", torch.arange(4.0, device="cpu"))


with torch.device("meta"):
    table = CpuTable()
print(table.table.device)  # built for real, values and all
#> cpu
before = table.table.data_ptr()
table.to_empty(device="cpu")  # to_empty replaces every tensor, whatever its device
print("new, uninitialized memory:", table.table.data_ptr() != before)
#> new, uninitialized memory: True
# --8<-- [end:cost-limits]
