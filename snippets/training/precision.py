"""Examples for docs/training/precision.md: what autocast does to each loss, float16 and
bfloat16 limits, and what GradScaler does. CPU only: the CUDA facts come from the
installed torch (its dispatcher and the shipped header ATen/autocast_mode.h)."""

# --8<-- [start:setup]
import math
import re
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

torch.set_printoptions(precision=4)
print(torch.__version__.split("+")[0])
#> 2.13.0
# --8<-- [end:setup]

# --8<-- [start:dispatch-keys]
# Does an aten op have its own autocast kernel? Ask the dispatcher, per device.
def has_autocast_kernel(op: str, key: str) -> bool:
    """op: "aten::name" or "aten::name.overload"; key: "AutocastCPU" or "AutocastCUDA"."""
    try:
        return torch._C._dispatch_has_kernel_for_dispatch_key(op, key)
    except RuntimeError:  # a TorchScript-only name such as aten::ge.int
        return False


for op in ("aten::binary_cross_entropy", "aten::cross_entropy_loss",
           "aten::log_softmax.int", "aten::nll_loss"):
    print(f"{op:28} CPU {has_autocast_kernel(op, 'AutocastCPU')!s:5}  "
          f"CUDA {has_autocast_kernel(op, 'AutocastCUDA')}")
#> aten::binary_cross_entropy   CPU True   CUDA True
#> aten::cross_entropy_loss     CPU True   CUDA False
#> aten::log_softmax.int        CPU False  CUDA True
#> aten::nll_loss               CPU True   CUDA True
# The dispatch table says the same: "fallthrough" means "no autocast kernel, pass on".
table = torch._C._dispatch_dump_table("aten::log_softmax.int")
for line in table.splitlines():
    if line.startswith(("AutocastCPU:", "AutocastCUDA:")):
        print(line.split(":")[0], "fallthrough" if "fallthrough" in line else "kernel")
#> AutocastCPU fallthrough
#> AutocastCUDA kernel
# --8<-- [end:dispatch-keys]

# --8<-- [start:header-lists]
# The CUDA policy lists, read from the C++ header that ships inside the wheel.
HEADER = Path(torch.__file__).parent / "include" / "ATen" / "autocast_mode.h"
POLICIES = {  # macro -> what autocast does to the op's floating-point inputs on CUDA
    "AT_FORALL_LOWER_PRECISION_FP": "float16",
    "AT_FORALL_FP32": "float32",
    "AT_FORALL_FP32_SET_OPT_DTYPE": "float32 via dtype arg",
    "AT_FORALL_DIFFERENT_REDISPATCH_SIGNATURE": "float32 via dtype arg",
    "AT_FORALL_PROMOTE": "promote",
}


def autocast_lists(header: str) -> dict[str, set[str]]:
    """{macro: {"op" or "op.overload"}} for each AT_FORALL_* list of the header.

    A list is `#define AT_FORALL_X(_)` and its backslash-continued lines. Entries are
    `_(op)` or `_(op, overload)`; the different-redispatch list names "op.overload" in
    a string instead.
    """
    lists = {}
    for macro, body in re.findall(r"#define (AT_FORALL_\w+)\(_\)[ \t]*((?:.*\\\n)*.*)", header):
        if macro not in POLICIES:
            continue
        if "REDISPATCH" in macro:
            entries = re.findall(r'"(\w+(?:\.\w+)?)"', body)
        else:
            entries = [f"{op}.{overload}" if overload else op
                       for op, overload in re.findall(r"\b_\((\w+)(?:,\s*(\w+))?\)", body)]
        lists[macro] = set(entries)
    return lists


# The one CUDA autocast kernel that raises instead of casting (called below, in the
# BCELoss section). Other kernels in no list are registered in autocast_mode.cpp itself.
RAISES = {"binary_cross_entropy"}


def cuda_policy(op: str, lists: dict[str, set[str]]) -> str:
    """CUDA autocast policy of an aten op, any overload ("aten::" prefix optional)."""
    name = op.removeprefix("aten::")
    found = [POLICIES[m] for m, entries in lists.items()
             if any(e.split(".")[0] == name for e in entries)]
    if found:
        return found[0]
    if has_autocast_kernel_any(name, "AutocastCUDA"):  # a CUDA autocast kernel in no list
        return "raises" if name in RAISES else "unlisted"
    return "no autocast kernel"


def has_autocast_kernel_any(name: str, key: str) -> bool:
    """Has any overload of aten::name a kernel for key?"""
    packet = getattr(torch.ops.aten, name, None)
    if packet is None:
        return False
    return any(has_autocast_kernel(f"aten::{name}" + ("" if o == "default" else f".{o}"), key)
               for o in packet.overloads())


LISTS = autocast_lists(HEADER.read_text())
print({macro.removeprefix("AT_FORALL_"): len(entries) for macro, entries in LISTS.items()})
#> {'LOWER_PRECISION_FP': 33, 'FP32': 59, 'FP32_SET_OPT_DTYPE': 11, 'DIFFERENT_REDISPATCH_SIGNATURE': 2, 'PROMOTE': 11}
for op in ("binary_cross_entropy_with_logits", "log_softmax", "binary_cross_entropy",
           "cudnn_convolution", "cross_entropy_loss", "sigmoid"):
    print(f"{op:33} {cuda_policy(op, LISTS)}")
#> binary_cross_entropy_with_logits  float32
#> log_softmax                       float32 via dtype arg
#> binary_cross_entropy              raises
#> cudnn_convolution                 unlisted
#> cross_entropy_loss                no autocast kernel
#> sigmoid                           no autocast kernel
# --8<-- [end:header-lists]

# --8<-- [start:trace-ops]
# Which aten ops does a call reach, and with which arguments? torch.profiler records every
# op the dispatcher enters, its parent, and (record_shapes=True) its non-tensor arguments.
def trace(calls: dict) -> dict:
    """{name: the top-level aten ops of calls[name]()}, as profiler events, one session."""
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU],
                                record_shapes=True) as prof:
        for name, call in calls.items():
            with torch.profiler.record_function(name):
                call()
    events = prof.events()
    return {name: [e for e in events if e.name.startswith("aten::")
                   and e.cpu_parent is not None and e.cpu_parent.name == name]
            for name in calls}


def decomposes(op: str) -> bool:
    """A CompositeImplicitAutograd op runs as other ops, each autocast again on its own."""
    return has_autocast_kernel(op, "CompositeImplicitAutograd")


def reached(events, key: str) -> list:
    """The first events under `events` whose op has an autocast kernel for key."""
    found = []
    for e in events:
        if has_autocast_kernel_any(e.name.removeprefix("aten::"), key):
            found.append(e)
        elif decomposes(e.name):
            found += reached(e.cpu_children, key)
    return found


def names(events) -> list[str]:
    return list(dict.fromkeys(e.name for e in events))


def dtype_arg(e):
    """The dtype argument of a recorded call: None if not given, else c10's ScalarType number."""
    packet = getattr(torch.ops.aten, e.name.removeprefix("aten::"))
    for overload in packet.overloads():
        args = [a.name for a in getattr(packet, overload)._schema.arguments]
        if "dtype" in args and len(args) == len(e.concrete_inputs):
            return e.concrete_inputs[args.index("dtype")]
    return None


# fp32_set_opt_dtype: "If the user has explicitly specified a dtype, respect it."
SET_OPT_DTYPE = {e.split(".")[0] for e in LISTS["AT_FORALL_FP32_SET_OPT_DTYPE"]}


def call_policy(e, lists: dict[str, set[str]]) -> str:
    """The CUDA policy of one recorded call: a dtype given to such an op is kept."""
    if e.name.removeprefix("aten::") in SET_OPT_DTYPE and dtype_arg(e) is not None:
        return "keeps the caller's dtype"
    return cuda_policy(e.name, lists)


logits, label = torch.tensor([[2.0, 0.5, -1.0]]), torch.tensor([0])
logits_bf16 = logits.bfloat16()
traced = trace({
    "CrossEntropyLoss, float32 logits": lambda: nn.CrossEntropyLoss()(logits, label),
    "CrossEntropyLoss, bfloat16 logits": lambda: nn.CrossEntropyLoss()(logits_bf16, label),
    "nn.LogSoftmax(dim=1)": lambda: nn.LogSoftmax(dim=1)(logits_bf16),
    "F.log_softmax(dtype=torch.float32)": lambda: F.log_softmax(logits_bf16, 1, dtype=torch.float32),
    "F.log_softmax(dtype=torch.bfloat16)": lambda: F.log_softmax(logits_bf16, 1, dtype=torch.bfloat16),
})
events = traced["CrossEntropyLoss, float32 logits"]
print(names(events), names(events[0].cpu_children))
#> ['aten::cross_entropy_loss'] ['aten::log_softmax', 'aten::nll_loss_nd']
print("CPU:", names(reached(events, "AutocastCPU")), " CUDA:", names(reached(events, "AutocastCUDA")))
#> CPU: ['aten::cross_entropy_loss']  CUDA: ['aten::log_softmax', 'aten::nll_loss']
# The dtype each call gives log_softmax (the F.log_softmax calls decode 6 and 15):
for name, evs in traced.items():
    call = next(e for e in reached(evs, "AutocastCUDA") if e.name == "aten::log_softmax")
    print(f"{name:36} dtype={dtype_arg(call)!s:4}  CUDA: {call_policy(call, LISTS)}")
#> CrossEntropyLoss, float32 logits     dtype=6     CUDA: keeps the caller's dtype
#> CrossEntropyLoss, bfloat16 logits    dtype=15    CUDA: keeps the caller's dtype
#> nn.LogSoftmax(dim=1)                 dtype=None  CUDA: float32 via dtype arg
#> F.log_softmax(dtype=torch.float32)   dtype=6     CUDA: keeps the caller's dtype
#> F.log_softmax(dtype=torch.bfloat16)  dtype=15    CUDA: keeps the caller's dtype
# --8<-- [end:trace-ops]

# --8<-- [start:criteria-inputs]
# One small, valid call per criterion of torch.nn (float64 draws cast to float32).
g = torch.Generator().manual_seed(0)
N, C = 4, 3
x = torch.randn(N, C, generator=g, dtype=torch.float64).float()
t = torch.rand(N, C, generator=g, dtype=torch.float64).float()
h = torch.randn(N, 8, generator=g, dtype=torch.float64).float()  # features
cls = torch.tensor([0, 2, 1, 2])
sign = torch.tensor([1.0, -1.0, 1.0, -1.0])
CRITERIA = {  # name: (make the criterion, its arguments)
    "AdaptiveLogSoftmaxWithLoss": (lambda: nn.AdaptiveLogSoftmaxWithLoss(8, 6, cutoffs=[2]),
                                   (h, torch.tensor([0, 5, 1, 3]))),
    "BCELoss": (nn.BCELoss, (torch.sigmoid(x), t)),
    "BCEWithLogitsLoss": (nn.BCEWithLogitsLoss, (x, t)),
    "CTCLoss": (nn.CTCLoss, (x.view(N, 1, C).log_softmax(2), torch.tensor([[1, 2]]),
                             torch.tensor([N]), torch.tensor([2]))),
    "CosineEmbeddingLoss": (nn.CosineEmbeddingLoss, (x, t, sign)),
    "CrossEntropyLoss": (nn.CrossEntropyLoss, (x, cls)),
    "GaussianNLLLoss": (nn.GaussianNLLLoss, (x, t, t + 0.5)),
    "HingeEmbeddingLoss": (nn.HingeEmbeddingLoss, (x, sign.view(N, 1).expand(N, C))),
    "HuberLoss": (nn.HuberLoss, (x, t)),
    "KLDivLoss": (lambda: nn.KLDivLoss(reduction="batchmean"), (x.log_softmax(1), t.softmax(1))),
    "L1Loss": (nn.L1Loss, (x, t)),
    "LinearCrossEntropyLoss": (lambda: nn.LinearCrossEntropyLoss(8, 5), (h, cls)),
    "MSELoss": (nn.MSELoss, (x, t)),
    "MarginRankingLoss": (nn.MarginRankingLoss, (x[:, 0], x[:, 1], sign)),
    "MultiLabelMarginLoss": (nn.MultiLabelMarginLoss, (x, torch.tensor([[0, -1, 0]] * N))),
    "MultiLabelSoftMarginLoss": (nn.MultiLabelSoftMarginLoss, (x, (t > 0.5).float())),
    "MultiMarginLoss": (nn.MultiMarginLoss, (x, cls)),
    "NLLLoss": (nn.NLLLoss, (x.log_softmax(1), cls)),
    "PoissonNLLLoss": (nn.PoissonNLLLoss, (x, t)),
    "SmoothL1Loss": (nn.SmoothL1Loss, (x, t)),
    "SoftMarginLoss": (nn.SoftMarginLoss, (x, sign.view(N, 1).expand(N, C))),
    "TripletMarginLoss": (nn.TripletMarginLoss, (x, t, t.flip(0))),
    "TripletMarginWithDistanceLoss": (nn.TripletMarginWithDistanceLoss, (x, t, t.flip(0))),
}
# And the ops a model puts before its loss.
W = torch.randn(C, C, generator=g, dtype=torch.float64).float()
BEFORE_LOSS = {
    "F.log_softmax": (lambda: lambda a: F.log_softmax(a, dim=1), (x,)),
    "F.softmax": (lambda: lambda a: F.softmax(a, dim=1), (x,)),
    "torch.sigmoid": (lambda: torch.sigmoid, (x,)),
    "F.linear": (lambda: lambda a: F.linear(a, W), (x,)),
    "torch.mm": (lambda: lambda a: torch.mm(a, W), (x,)),
}
# Every class of torch.nn whose name ends in "Loss" is in the table:
print(sorted(CRITERIA) == sorted(n for n in dir(nn) if n.endswith("Loss")), len(CRITERIA))
#> True 23
# --8<-- [end:criteria-inputs]

# --8<-- [start:autocast-table]
def lower(a):
    """What a bfloat16 model hands its loss: floating tensors in bfloat16."""
    return a.bfloat16() if a.is_floating_point() else a


def row(name, fn, args, events, cast=lower):
    """Run fn under CPU autocast, and read the CUDA policy of each call the trace reached."""
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = fn(*[cast(a) for a in args])
    out = getattr(out, "loss", out)  # AdaptiveLogSoftmaxWithLoss returns (output, loss)
    ops = [e.name.removeprefix("aten::") for e in events
           if e.name != "aten::broadcast_tensors"]
    cuda = {}
    for e in reached(events, "AutocastCUDA"):
        cuda.setdefault(e.name.removeprefix("aten::"), set()).add(call_policy(e, LISTS))
    return {"name": name, "op": ops[0] if len(ops) == 1 else f"{len(ops)} ops (Python)",
            "cpu_ops": names(reached(events, "AutocastCPU")), "cpu_dtype": out.dtype,
            "cuda": {op: " / ".join(sorted(p)) for op, p in cuda.items()}}


def show(r):
    cuda = ", ".join(f"{op}: {policy}" for op, policy in r["cuda"].items())
    dtype = str(r["cpu_dtype"]).removeprefix("torch.")
    print(f"{r['name']:29} | {r['op']:32} | {dtype:8} | {cuda or 'no autocast kernel'}")


# Trace every call in float32, in one profiler session, then build each row.
calls = {name: (make(), args) for name, (make, args) in {**CRITERIA, **BEFORE_LOSS}.items()}
TRACES = trace({name: (lambda fn=fn, args=args: fn(*args)) for name, (fn, args) in calls.items()})
ROWS = [row(name, *calls[name], TRACES[name]) for name in CRITERIA]
print(f"{'criterion':29} | {'aten op':32} | {'CPU bf16':8} | CUDA policy")
#> criterion                     | aten op                          | CPU bf16 | CUDA policy
for r in ROWS:
    show(r)
#> AdaptiveLogSoftmaxWithLoss    | 33 ops (Python)                  | bfloat16 | linear: float16, log_softmax: float32 via dtype arg
#> BCELoss                       | binary_cross_entropy             | float32  | binary_cross_entropy: raises
#> BCEWithLogitsLoss             | binary_cross_entropy_with_logits | float32  | binary_cross_entropy_with_logits: float32
#> CTCLoss                       | ctc_loss                         | float32  | no autocast kernel
#> CosineEmbeddingLoss           | cosine_embedding_loss            | float32  | cosine_embedding_loss: float32
#> CrossEntropyLoss              | cross_entropy_loss               | float32  | log_softmax: keeps the caller's dtype, nll_loss: float32
#> GaussianNLLLoss               | 12 ops (Python)                  | bfloat16 | log: float32, pow: float32
#> HingeEmbeddingLoss            | hinge_embedding_loss             | float32  | hinge_embedding_loss: float32
#> HuberLoss                     | huber_loss                       | float32  | huber_loss: float32
#> KLDivLoss                     | 2 ops (Python)                   | float32  | kl_div: float32
#> L1Loss                        | l1_loss                          | float32  | l1_loss: float32
#> LinearCrossEntropyLoss        | 4 ops (Python)                   | float32  | linear: float16, log_softmax: keeps the caller's dtype, nll_loss: float32
#> MSELoss                       | mse_loss                         | float32  | mse_loss: float32
#> MarginRankingLoss             | margin_ranking_loss              | float32  | margin_ranking_loss: float32
#> MultiLabelMarginLoss          | multilabel_margin_loss           | float32  | multilabel_margin_loss: float32
#> MultiLabelSoftMarginLoss      | 11 ops (Python)                  | bfloat16 | sum: float32 via dtype arg
#> MultiMarginLoss               | multi_margin_loss                | float32  | multi_margin_loss: float32
#> NLLLoss                       | nll_loss_nd                      | float32  | nll_loss: float32
#> PoissonNLLLoss                | poisson_nll_loss                 | float32  | poisson_nll_loss: float32
#> SmoothL1Loss                  | smooth_l1_loss                   | float32  | smooth_l1_loss: float32
#> SoftMarginLoss                | soft_margin_loss                 | float32  | soft_margin_loss: float32
#> TripletMarginLoss             | triplet_margin_loss              | float32  | triplet_margin_loss: float32
#> TripletMarginWithDistanceLoss | 6 ops (Python)                   | bfloat16 | norm: float32 via dtype arg
for name in BEFORE_LOSS:
    # linear and mm get the float32 tensors of a float32 model; the others bfloat16.
    r = row(name, *calls[name], TRACES[name],
            cast=(lambda a: a) if name in ("F.linear", "torch.mm") else lower)
    ROWS.append(r)
    show(r)
#> F.log_softmax                 | log_softmax                      | bfloat16 | log_softmax: float32 via dtype arg
#> F.softmax                     | softmax                          | bfloat16 | softmax: float32 via dtype arg
#> torch.sigmoid                 | sigmoid                          | bfloat16 | no autocast kernel
#> F.linear                      | linear                           | bfloat16 | linear: float16
#> torch.mm                      | mm                               | bfloat16 | mm: float16
# --8<-- [end:autocast-table]

# --8<-- [start:docs-compare]
# The loss-related names of https://docs.pytorch.org/docs/stable/amp.html, sections
# "CUDA Ops that can autocast to float32" and "CPU Ops that can autocast to float32".
DOCS_CUDA_FP32 = {  # the whole CUDA list
    "__pow__", "__rdiv__", "__rpow__", "__rtruediv__", "acos", "asin",
    "binary_cross_entropy_with_logits", "cosh", "cosine_embedding_loss", "cdist",
    "cosine_similarity", "cross_entropy", "cumprod", "cumsum", "dist", "erfinv", "exp", "expm1",
    "group_norm", "hinge_embedding_loss", "kl_div", "l1_loss", "layer_norm", "log",
    "log_softmax", "log10", "log1p", "log2", "margin_ranking_loss", "mse_loss",
    "multilabel_margin_loss", "multi_margin_loss", "nll_loss", "norm", "normalize", "pdist",
    "poisson_nll_loss", "pow", "prod", "reciprocal", "rsqrt", "sinh", "smooth_l1_loss",
    "soft_margin_loss", "softmax", "softmin", "softplus", "sum", "renorm", "tan",
    "triplet_margin_loss"}
DOCS_CPU_FP32 = {  # the losses of the CPU list
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cosine_embedding_loss",
    "cross_entropy_loss", "ctc_loss", "hinge_embedding_loss", "huber_loss", "kl_div", "l1_loss",
    "margin_ranking_loss", "mse_loss", "multi_margin_loss", "multilabel_margin_loss",
    "nll_loss", "poisson_nll_loss", "soft_margin_loss", "triplet_margin_loss"}
# Measured: the ops of the table above whose CUDA policy is float32 ...
cuda_fp32 = {op for r in ROWS for op, policy in r["cuda"].items() if policy.startswith("float32")}
# ... and, on CPU, the one op with an AutocastCPU kernel of a row that came out float32.
cpu_fp32 = {r["cpu_ops"][0].removeprefix("aten::") for r in ROWS
            if len(r["cpu_ops"]) == 1 and r["cpu_dtype"] == torch.float32}
print("CUDA, float32 in the header, missing from the docs:", sorted(cuda_fp32 - DOCS_CUDA_FP32))
#> CUDA, float32 in the header, missing from the docs: ['huber_loss']
print("CUDA, a loss in the docs, no AutocastCUDA kernel of that name:",
      sorted(op for op in DOCS_CUDA_FP32 if ("loss" in op or "entropy" in op)
             and not has_autocast_kernel_any(op, "AutocastCUDA")))
#> CUDA, a loss in the docs, no AutocastCUDA kernel of that name: ['cross_entropy']
print("CPU, float32 measured, missing from the docs:", sorted(cpu_fp32 - DOCS_CPU_FP32))
#> CPU, float32 measured, missing from the docs: ['smooth_l1_loss']
print("CPU, in the docs, not measured float32 here:", sorted(DOCS_CPU_FP32 - cpu_fp32))
#> CPU, in the docs, not measured float32 here: []
# Which CUDA autocast kernels are in none of the lists?
listed = {e.split(".")[0] for entries in LISTS.values() for e in entries}
print(sorted({op.split(".")[0].removeprefix("aten::") for op in torch._C._dispatch_get_all_op_names()
              if op.startswith("aten::") and has_autocast_kernel(op, "AutocastCUDA")} - listed))
#> ['binary_cross_entropy', 'cudnn_convolution', 'cudnn_convolution_transpose']
# --8<-- [end:docs-compare]

# --8<-- [start:bce-unsafe-to-autocast]
probs, target = torch.tensor([0.9, 0.2]), torch.tensor([1.0, 0.0])
# Call binary_cross_entropy's CUDA autocast kernel by hand, on CPU tensors: it raises
# before it looks at the data. On a GPU, `with torch.autocast("cuda"): nn.BCELoss()(p, y)`
# reaches the same kernel and raises the same error.
cuda_autocast = torch._C.DispatchKeySet(torch._C.DispatchKey.AutocastCUDA)
try:
    torch.ops.aten.binary_cross_entropy.default.redispatch(cuda_autocast, probs, target, None, 1)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.
#> Many models use a sigmoid layer right before the binary cross entropy layer.
#> In this case, combine the two layers using torch.nn.functional.binary_cross_entropy_with_logits
#> or torch.nn.BCEWithLogitsLoss.  binary_cross_entropy_with_logits and BCEWithLogits are
#> safe to autocast.
# BCEWithLogits' CUDA autocast kernel does not refuse: it casts (only CUDA tensors) and runs.
print(torch.ops.aten.binary_cross_entropy_with_logits.default.redispatch(
    cuda_autocast, torch.tensor([2.0]), torch.tensor([1.0]), None, None, 1))
#> tensor(0.1269)
# CPU autocast does not refuse BCELoss: its AutocastCPU kernel runs it in float32.
with torch.autocast("cpu", dtype=torch.bfloat16):
    loss = nn.BCELoss()(probs.bfloat16(), target.bfloat16())
print(loss.dtype, f"{loss.item():.3f}")
#> torch.float32 0.165
# --8<-- [end:bce-unsafe-to-autocast]

# --8<-- [start:sigmoid-saturates]
# A confident wrong logit: 10 for a negative example. True loss 10 + log(1 + e^-10).
z, y0 = torch.tensor([10.0]), torch.tensor([0.0])
for dtype in (torch.float16, torch.bfloat16, torch.float32):
    print(f"{str(dtype):14} sigmoid(10) == 1: {bool(torch.sigmoid(z.to(dtype)) == 1)}")
#> torch.float16  sigmoid(10) == 1: True
#> torch.bfloat16 sigmoid(10) == 1: True
#> torch.float32  sigmoid(10) == 1: False
with torch.autocast("cpu", dtype=torch.bfloat16):
    zb = z.bfloat16().requires_grad_()
    p = torch.sigmoid(zb)  # no autocast kernel: runs in bfloat16 and rounds to 1
    unfused = nn.BCELoss()(p, y0)  # float32 policy, too late: log(1 - 1) is clamped
    fused = nn.BCEWithLogitsLoss()(zb, y0)  # float32 policy on the logit itself
print(p, f"{unfused.item():.3f} {fused.item():.3f}")
#> tensor([1.], dtype=torch.bfloat16, grad_fn=<SigmoidBackward0>) 100.000 10.000
print(torch.autograd.grad(unfused, zb)[0], torch.autograd.grad(fused, zb)[0])
#> tensor([0.], dtype=torch.bfloat16) tensor([1.], dtype=torch.bfloat16)
# --8<-- [end:sigmoid-saturates]

# --8<-- [start:log-softmax-bfloat16]
# A classifier head under CPU autocast hands its loss bfloat16 logits.
head = nn.Linear(16, 1000)
with torch.autocast("cpu", dtype=torch.bfloat16):
    print(head(torch.zeros(2, 16)).dtype)
#> torch.bfloat16
# 64 samples, 1000 classes: seeded float64 draws, cast down to what such a head returns.
g = torch.Generator().manual_seed(0)
logits = (2 * torch.randn(64, 1000, generator=g, dtype=torch.float64)).bfloat16()
labels = torch.randint(0, 1000, (64,), generator=g)
with torch.autocast("cpu", dtype=torch.bfloat16):
    log_probs = nn.LogSoftmax(dim=1)(logits)  # no AutocastCPU kernel: bfloat16
    two_step = nn.NLLLoss()(log_probs, labels)  # float32 policy, on rounded log-probs
    fused = nn.CrossEntropyLoss()(logits, labels)  # float32 policy on the logits
    fixed = nn.CrossEntropyLoss()(logits.float(), labels)  # float32 logits
exact = F.cross_entropy(logits.double(), labels)  # the same bfloat16 logits, in float64
print(log_probs.dtype, two_step.dtype, fused.dtype, fixed.dtype)
#> torch.bfloat16 torch.float32 torch.float32 torch.float32
print(f"exact {exact.item():.3f}  LogSoftmax+NLLLoss off by {abs(two_step.item() - exact.item()):.0e}")
#> exact 8.715  LogSoftmax+NLLLoss off by 2e-03
print(abs(fused.item() - exact.item()) < 1e-5, abs(fixed.item() - exact.item()) < 1e-5)
#> True True
# bfloat16 keeps 8 significant bits: between -16 and -8 its log-probs are multiples of
# 2**-4 = 0.0625, between -8 and -4 of 2**-5.
print(log_probs[0, :4])
#> tensor([-13.3750,  -9.5000, -10.8750,  -6.7500], dtype=torch.bfloat16)
# --8<-- [end:log-softmax-bfloat16]

# --8<-- [start:cuda-op-by-op]
# NOT a GPU run: CUDA autocast's policies replayed op by op on CPU tensors, for
# torch.autocast("cuda", dtype=torch.bfloat16) and the same bfloat16 logits.
# CrossEntropyLoss: cross_entropy_loss passes log_softmax the logits' dtype, the
# fp32_set_opt_dtype policy keeps it, and only nll_loss's float32 policy casts.
cuda_fused = F.nll_loss(F.log_softmax(logits, 1, dtype=logits.dtype).float(), labels)
# LogSoftmax + NLLLoss: nn.LogSoftmax passes no dtype, so the policy sets float32.
cuda_two_step = F.nll_loss(F.log_softmax(logits, 1, dtype=torch.float32), labels)
print(f"CrossEntropyLoss off by {abs(cuda_fused.item() - exact.item()):.0e}",
      "| the same bits as the CPU two-step:", torch.equal(cuda_fused, two_step))
#> CrossEntropyLoss off by 2e-03 | the same bits as the CPU two-step: True
print("LogSoftmax+NLLLoss within 1e-5:", abs(cuda_two_step.item() - exact.item()) < 1e-5)
#> LogSoftmax+NLLLoss within 1e-5: True
# --8<-- [end:cuda-op-by-op]

# --8<-- [start:bfloat16-model]
# Outside autocast, in a model cast with .bfloat16(): no policy at all. Both forms run in
# bfloat16, the returned loss included.
plain_two_step = nn.NLLLoss()(nn.LogSoftmax(dim=1)(logits), labels)
plain_fused = nn.CrossEntropyLoss()(logits, labels)
print(plain_two_step.dtype, plain_fused.dtype, torch.equal(plain_two_step, plain_fused))
#> torch.bfloat16 torch.bfloat16 True
print(f"both off by {abs(plain_fused.item() - exact.item()):.2f}")
#> both off by 0.03
# --8<-- [end:bfloat16-model]

# --8<-- [start:float16-limits]
for dtype in (torch.float16, torch.bfloat16, torch.float32):
    fi = torch.finfo(dtype)
    print(f"{str(dtype):14} max {fi.max:.5g}  tiny {fi.tiny:.3g}  eps {fi.eps:.3g}")
#> torch.float16  max 65504  tiny 6.1e-05  eps 0.000977
#> torch.bfloat16 max 3.3895e+38  tiny 1.18e-38  eps 0.00781
#> torch.float32  max 3.4028e+38  tiny 1.18e-38  eps 1.19e-07
# float16 rounds to inf from 65520 on (halfway between 65504 and the next step, 65536).
print(torch.tensor([65519.0, 65520.0]).half())
#> tensor([65504.,    inf], dtype=torch.float16)
# 255.875, the largest float16 below 256, squares to 65472; 256**2 = 65536 is inf.
for r in (255.875, 256.0):
    d = torch.tensor([r], dtype=torch.float16)
    print(r, F.mse_loss(d, torch.zeros_like(d)))
#> 255.875 tensor(65472., dtype=torch.float16)
#> 256.0 tensor(inf, dtype=torch.float16)
# bfloat16 holds 256**2:
print(F.mse_loss(torch.tensor([256.0], dtype=torch.bfloat16), torch.zeros(1, dtype=torch.bfloat16)))
#> tensor(65536., dtype=torch.bfloat16)
# bfloat16 has float32's range but 8 significant bits: 257 is not a bfloat16 number.
print(torch.tensor(257.0, dtype=torch.bfloat16), torch.tensor(257.0, dtype=torch.float16))
#> tensor(256., dtype=torch.bfloat16) tensor(257., dtype=torch.float16)
# A loss of 1000 that should grow by 0.1, then by 1 (float16 steps by 0.5 there, bfloat16 by 4):
for dtype in (torch.float16, torch.bfloat16):
    big = torch.tensor(1000.0, dtype=dtype)
    print(f"{str(dtype):14} 1000 + 0.1 == 1000: {bool(big + 0.1 == big)}   "
          f"1000 + 1 == 1000: {bool(big + 1 == big)}")
#> torch.float16  1000 + 0.1 == 1000: True   1000 + 1 == 1000: False
#> torch.bfloat16 1000 + 0.1 == 1000: True   1000 + 1 == 1000: True
# --8<-- [end:float16-limits]

# --8<-- [start:float16-overflow]
# torch 2.13's CPU mean of float16 accumulates in float32: the mean of 100000 ones is 1.
# Their sum is 100000, which float16 cannot hold.
ones = torch.ones(100_000, dtype=torch.float16)
print(ones.mean(), ones.sum())
#> tensor(1., dtype=torch.float16) tensor(inf, dtype=torch.float16)
# A mean written by hand, over per-sample losses of 100 each, goes through that sum:
losses = torch.full((1000,), 100.0, dtype=torch.float16)
print(losses.mean(), losses.sum() / losses.numel())
#> tensor(100., dtype=torch.float16) tensor(inf, dtype=torch.float16)
# MSELoss in float16: one residual of 300 among 1000 zeros. The mean is 90, but the
# elementwise square 300**2 = 90000 overflows before the reduction.
residual = torch.zeros(1000, dtype=torch.float16)
residual[0] = 300
print(F.mse_loss(residual, torch.zeros_like(residual)))
#> tensor(inf, dtype=torch.float16)
# Fixes: reduce in float32, or compute the loss in float32.
print(torch.mean(losses, dtype=torch.float32), losses.sum(dtype=torch.float32) / losses.numel())
#> tensor(100.) tensor(100.)
print(F.mse_loss(residual.float(), torch.zeros(1000)))
#> tensor(90.)
with torch.autocast("cpu", dtype=torch.float16):  # mse_loss's float32 policy
    print(F.mse_loss(residual, torch.zeros_like(residual)))
#> tensor(90.)
# --8<-- [end:float16-overflow]

# --8<-- [start:float16-cross-entropy]
# pytorch#85791's pattern, smaller: CrossEntropyLoss of float16 logits over many
# positions, (N, C, d) = (32, 10, 1024). Each loss is about ln 10 and so is their mean,
# but 'mean' first sums 32 * 1024 = 32768 of them, about 77000 > 65504.
g = torch.Generator().manual_seed(0)
seg_logits = torch.rand(32, 10, 1024, generator=g, dtype=torch.float64).half()
seg_labels = torch.randint(0, 10, (32, 1024), generator=g)
flat = seg_logits.transpose(1, 2).reshape(-1, 10), seg_labels.reshape(-1)
print(F.cross_entropy(seg_logits, seg_labels), F.cross_entropy(*flat))
#> tensor(inf, dtype=torch.float16) tensor(inf, dtype=torch.float16)
per_position = F.cross_entropy(seg_logits, seg_labels, reduction="none")
print(per_position.max(), f"{per_position.float().mean().item():.3f}")  # all finite
#> tensor(3.0508, dtype=torch.float16) 2.340
# Fixes: float32 logits, or the loss under autocast (float32 policy, float32 result).
print(f"{F.cross_entropy(seg_logits.float(), seg_labels).item():.3f}")
#> 2.340
with torch.autocast("cpu", dtype=torch.float16):
    loss = F.cross_entropy(seg_logits, seg_labels)
print(loss.dtype, f"{loss.item():.3f}")
#> torch.float32 2.340
# --8<-- [end:float16-cross-entropy]

# --8<-- [start:underflow]
# float16's smallest positive number is 2**-24 (a subnormal, about 6e-8). Below half of
# it a value rounds to 0; between half of it and 2**-24 it rounds up to 2**-24.
print(torch.tensor([1e-8, 3e-8, 2.0**-24], dtype=torch.float16))
#> tensor([0.0000e+00, 5.9605e-08, 5.9605e-08], dtype=torch.float16)
# Below tiny (6.1e-5) float16 is subnormal: a multiple of 2**-24, fewer than 11 bits.
# 1e-6 is stored as 17 * 2**-24, 1.3 % off.
sub = torch.tensor(1e-6, dtype=torch.float16).item()
print(f"{sub:.4e}", sub / 2**-24)
#> 1.0133e-06 17.0
# Scaled by 2**16 the same gradient is a normal float16 number; unscaled in float32 it
# comes back to 1e-8 (to float16's 11 significant bits).
scaled = torch.tensor(1e-8 * 2**16, dtype=torch.float16)
print(scaled, f"{scaled.float().item() / 2**16:.3e}")
#> tensor(0.0007, dtype=torch.float16) 9.997e-09
# --8<-- [end:underflow]

# --8<-- [start:scaling-is-exact]
# Backward is linear in the loss: scaling the loss by a power of two scales every
# gradient by exactly that power (bit for bit, away from overflow and underflow).
g = torch.Generator().manual_seed(1)
X = torch.randn(32, 5, generator=g, dtype=torch.float64)
Y = torch.randn(32, 1, generator=g, dtype=torch.float64)
W1 = torch.randn(5, 8, generator=g, dtype=torch.float64).requires_grad_()
W2 = torch.randn(8, 1, generator=g, dtype=torch.float64).requires_grad_()


def gradients(scale):
    loss = F.mse_loss(torch.tanh(X @ W1) @ W2, Y)
    return torch.autograd.grad(scale * loss, (W1, W2))


plain, scaled = gradients(1.0), gradients(2.0**16)
print(all(torch.equal(a * 2**16, b) for a, b in zip(plain, scaled, strict=True)))
#> True
print(all(torch.equal(a, b / 2**16) for a, b in zip(plain, scaled, strict=True)))  # unscaling is exact too
#> True
# --8<-- [end:scaling-is-exact]

# --8<-- [start:grad-scaler]
# A float32 model under float16 autocast (CPU supports it); the true gradient is 1e-8.
lin = nn.Linear(4, 1, bias=False)
with torch.no_grad():
    lin.weight.fill_(0.5)
opt = torch.optim.SGD(lin.parameters(), lr=1e3)  # large, so that 1e-8 visibly moves it
batch = torch.full((8, 4), 1e-3)


def small_loss(inputs):
    with torch.autocast("cpu", dtype=torch.float16):
        out = lin(inputs)  # float16: the matrix product and its backward
        return 1e-5 * out.float().mean()


small_loss(batch).backward()  # backward runs outside the autocast region
print(lin.weight.grad)  # underflowed in the float16 backward of the product
#> tensor([[0., 0., 0., 0.]])
opt.zero_grad()
scaler = torch.amp.GradScaler("cpu")  # on a GPU: torch.amp.GradScaler("cuda")
print(scaler.get_scale(), scaler.get_growth_factor(), scaler.get_backoff_factor(),
      scaler.get_growth_interval())
#> 65536.0 2.0 0.5 2000
scaler.scale(small_loss(batch)).backward()  # backward of 65536 * loss
print(lin.weight.grad)  # scaled gradients
#> tensor([[0.0007, 0.0007, 0.0007, 0.0007]])
scaler.unscale_(opt)  # divides them by the scale, in float32
print([f"{v:.3e}" for v in lin.weight.grad[0].tolist()])
#> ['1.000e-08', '1.000e-08', '1.000e-08', '1.000e-08']
try:  # at most once per optimizer between two update() calls
    scaler.unscale_(opt)
except RuntimeError as e:
    print(f"{type(e).__name__}: {e}")
#> RuntimeError: unscale_() has already been called on this optimizer since the last update().
before = lin.weight.detach().clone()
scaler.step(opt)  # finite gradients: a real step
scaler.update()
print(bool((lin.weight != before).all()), scaler.get_scale())
#> True 65536.0
# What a checkpoint saves, next to the model's and the optimizer's state_dict:
print(scaler.state_dict())
#> {'scale': 65536.0, 'growth_factor': 2.0, 'backoff_factor': 0.5, 'growth_interval': 2000, '_growth_tracker': 1}
# --8<-- [end:grad-scaler]

# --8<-- [start:skipped-steps]
# The normal skip: a finite loss whose scaled gradients overflow float16. A scaler that
# starts too high (2**40) shows it at once; the default one gets there by doubling its
# scale after every 2000 finite steps.
probe = torch.amp.GradScaler("cpu", init_scale=2.0**40)
opt.zero_grad()
loss = small_loss(batch)
print(f"the loss you log: {loss.item():.3e}")
#> the loss you log: 2.001e-08
probe.scale(loss).backward()
print(lin.weight.grad)  # 2**40 times the true gradients overflowed in the float16 backward
#> tensor([[inf, inf, inf, inf]])
before = lin.weight.detach().clone()
probe.step(opt)  # skipped: the weights keep their values
probe.update()  # and the scale is halved
print(torch.equal(lin.weight, before), f"scale 2**{math.log2(probe.get_scale()):.0f}")
#> True scale 2**39
# A forward pass that overflows: 4e4 is a float16 number, but 4 * 4e4 * 0.5 = 80000 is not.
huge = torch.full((8, 4), 4e4)
for step in range(3):
    opt.zero_grad()
    with torch.autocast("cpu", dtype=torch.float16):
        loss = lin(huge).float().mean()
    probe.scale(loss).backward()
    probe.step(opt)
    probe.update()
    print(step, loss, f"scale 2**{math.log2(probe.get_scale()):.0f}")
#> 0 tensor(inf, grad_fn=<MeanBackward0>) scale 2**38
#> 1 tensor(inf, grad_fn=<MeanBackward0>) scale 2**37
#> 2 tensor(inf, grad_fn=<MeanBackward0>) scale 2**36
# --8<-- [end:skipped-steps]

# --8<-- [start:bfloat16-no-scaler]
# bfloat16 reaches down to float32's tiny (1.2e-38): the same 1e-8 gradient survives.
lin.zero_grad()
with torch.autocast("cpu", dtype=torch.bfloat16):
    loss = 1e-5 * lin(batch).float().mean()
loss.backward()  # outside the region, as recommended
print([f"{v:.2e}" for v in lin.weight.grad[0].tolist()])
#> ['1.00e-08', '1.00e-08', '1.00e-08', '1.00e-08']
# Autocast never changes the parameter. It casts a copy, once per (outermost) autocast
# region: the cast of a float32 parameter that requires grad is cached until it ends. The batch is no
# parameter: it is cast at every call. Two regions of two calls each:
print(lin.weight.dtype)
#> torch.float32
with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU],
                            record_shapes=True) as prof:
    for _ in range(2):  # two autocast regions
        with torch.autocast("cpu", dtype=torch.bfloat16):
            lin(batch)
            lin(batch)
print([e.input_shapes[0] for e in prof.events() if e.name == "aten::to"])  # the casts
#> [[1, 4], [8, 4], [8, 4], [1, 4], [8, 4], [8, 4]]
# What no scale can fix: bfloat16's 8 significant bits. A step of 1e-3 on a weight of 1
# is lost if the weight itself is bfloat16, scaled or not (autocast keeps weights float32).
w = torch.tensor(1.0, dtype=torch.bfloat16)
print(bool(w - 1e-3 == w), bool(w * 2**16 - 1e-3 * 2**16 == w * 2**16))
#> True True
print(bool(torch.tensor(1.0) - 1e-3 == torch.tensor(1.0)))  # float32 keeps the step
#> False
# --8<-- [end:bfloat16-no-scaler]
