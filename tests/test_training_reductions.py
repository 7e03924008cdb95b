"""Real DistributedDataParallel against the simulation on docs/training/reductions.md.

The page simulates two DDP ranks in one process (`ddp_gradient` in
snippets/training/reductions.py: each rank's gradient, divided by the world size, summed
over the ranks). Here two real processes train the same tiny linear model under DDP with
the gloo backend on CPU (init through a file in a temporary folder, no network port), on
the same two halves of the page's padded batch, and save the gradient DDP leaves on each
rank. For the plain per-rank mean (wrong), the page's `rank_loss` with an all-reduced
global count (right), and that fix with two micro-batches per rank under `no_sync()`,
the real gradients must equal the simulated ones, and the plain one must differ from the
full-batch gradient while the fixed ones equal it.

Nothing may hang: the process group has a 30 s timeout, the test waits at most
TIMEOUT seconds for its workers and kills those still alive.
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from snippets.training import reductions as page

WORLD_SIZE = 2
TIMEOUT = 90  # seconds for both workers, start-up (the forkserver importing torch) included
CASES = ("plain", "fixed", "fixed-two-micro-batches")


def _worker(rank: int, init_file: str, out_dir: str) -> None:
    """One DDP rank: the page's model, data split and losses; gradients saved to a file."""
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank,
                            world_size=WORLD_SIZE, timeout=datetime.timedelta(seconds=30))
    try:
        model = nn.Linear(3, 4, bias=False, dtype=torch.float64)
        with torch.no_grad():
            model.weight.copy_(page.W)
        ddp = DistributedDataParallel(model)
        x = page.features.tensor_split(WORLD_SIZE)[rank]
        y = page.padded.tensor_split(WORLD_SIZE)[rank]
        grads = {}

        ddp.zero_grad()
        nn.CrossEntropyLoss()(ddp(x), y).backward()
        grads["plain"] = model.weight.grad.clone()

        count = (y != -100).sum().to(torch.float64)
        dist.all_reduce(count)  # SUM: the global number of kept targets
        ddp.zero_grad()
        page.rank_loss(ddp(x), y, count, WORLD_SIZE).backward()
        grads["fixed"] = model.weight.grad.clone()

        ddp.zero_grad()
        (x0, x1), (y0, y1) = x.tensor_split(2), y.tensor_split(2)
        with ddp.no_sync():  # accumulate locally, all-reduce at the next backward
            page.rank_loss(ddp(x0), y0, count, WORLD_SIZE).backward()
        page.rank_loss(ddp(x1), y1, count, WORLD_SIZE).backward()
        grads["fixed-two-micro-batches"] = model.weight.grad.clone()

        grads["count"] = count
        torch.save(grads, Path(out_dir) / f"rank{rank}.pt")
    finally:
        dist.destroy_process_group()


@pytest.fixture(scope="module")
def real_ddp(tmp_path_factory) -> list[dict[str, torch.Tensor]]:
    """Run the two workers once; the gradients each rank saved."""
    folder = tmp_path_factory.mktemp("ddp")
    # Fresh processes, but one start-up for both: the forkserver (a new interpreter, not a
    # fork of this pytest process) imports this module (torch, the page) and torch._dynamo,
    # which DistributedDataParallel's constructor imports, once, and forks the two workers
    # from there. Spawned, each worker paid both imports itself: ~5 s of CPU each.
    mp.get_context("forkserver").set_forkserver_preload([__name__, "torch._dynamo"])
    context = mp.start_processes(_worker, args=(str(folder / "init"), str(folder)),
                                 nprocs=WORLD_SIZE, join=False, start_method="forkserver")
    deadline = time.monotonic() + TIMEOUT
    try:
        while not context.join(timeout=1):  # raises if a worker failed
            if time.monotonic() > deadline:
                pytest.fail(f"the DDP workers did not finish within {TIMEOUT} s")
    finally:
        for process in context.processes:
            if process.is_alive():
                process.kill()
                process.join()
    return [torch.load(folder / f"rank{rank}.pt") for rank in range(WORLD_SIZE)]


SIMULATED = {
    "plain": page.plain_step,
    "fixed": page.fixed_step,
    "fixed-two-micro-batches": page.fixed_step_two_micro_batches,
}


def exact(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Equal up to float64 rounding (1e-16 relative), far below any printed digit."""
    return torch.allclose(a, b, rtol=1e-12, atol=1e-14)


def full_batch_gradient() -> torch.Tensor:
    return page.full_batch(nn.CrossEntropyLoss(), page.padded)[1]


def test_every_rank_holds_the_same_gradient(real_ddp):
    for case in CASES:
        assert torch.equal(real_ddp[0][case], real_ddp[1][case]), case


def test_the_all_reduced_count_is_the_page_global_count(real_ddp):
    assert [float(r["count"]) for r in real_ddp] == [float(page.global_count)] * WORLD_SIZE


@pytest.mark.parametrize("case", CASES)
def test_real_ddp_equals_the_page_simulation(real_ddp, case):
    simulated = page.ddp_gradient(SIMULATED[case], page.padded)
    assert exact(real_ddp[0][case], simulated)


def test_plain_mean_under_ddp_is_not_the_full_batch_gradient(real_ddp):
    """The comparison can fail: the plain per-rank mean is far from the full batch."""
    difference = (real_ddp[0]["plain"] - full_batch_gradient()).abs().max()
    assert difference > 0.1
    assert not exact(real_ddp[0]["plain"], full_batch_gradient())


@pytest.mark.parametrize("case", ["fixed", "fixed-two-micro-batches"])
def test_the_fix_under_ddp_is_the_full_batch_gradient(real_ddp, case):
    assert exact(real_ddp[0][case], full_batch_gradient())
