"""Distributed training on CPU-only machines (gloo) through mmengine.

mmengine 0.10.7 always calls ``torch.cuda.set_device`` when it starts a
``pytorch`` launcher and passes ``device_ids=[LOCAL_RANK]`` to DDP; both fail
without a GPU. On GPU machines none of this is used.
"""
import gc
import logging
import os
import sys
import traceback

import torch
import torch.distributed as torch_dist
from mmengine.model import MMDistributedDataParallel

from mmforget.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` for modules whose parameters are on CPU."""

    def __init__(self, module, device_ids=None, **kwargs):
        super().__init__(module=module, device_ids=None, **kwargs)


def setup_cpu_distributed(cfg, launcher):
    """Start a gloo process group and the CPU DDP wrapper when no GPU exists.

    Called by ``tools/train.py`` and ``tools/test.py`` before the Runner is
    built; the Runner then finds the process group already initialised.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return
    if launcher != 'pytorch':
        raise RuntimeError(
            f'launcher={launcher!r} needs GPUs; on a CPU-only machine use '
            '`--launcher pytorch` through torchrun (tools/dist_train.sh).')
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(
            backend='gloo',
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']))
    wrapper = cfg.get('model_wrapper_cfg') or dict()
    if wrapper.get('type', 'MMDistributedDataParallel') in (
            'MMDistributedDataParallel',
            'mmforget.CPUDistributedDataParallel'):
        wrapper['type'] = 'mmforget.CPUDistributedDataParallel'
    cfg.model_wrapper_cfg = wrapper


def finish_distributed():
    """Wait for every rank, then close the process group: a rank that exits
    while another still talks to it can abort the other (gloo). Call it
    after dropping the runner (``del runner``): the collection here frees
    the DDP model, whose reducer holds the group, while the group exists
    rather than at interpreter exit."""
    if torch_dist.is_available() and torch_dist.is_initialized():
        gc.collect()
        torch_dist.barrier()
        torch_dist.destroy_process_group()


def exit_rank_after_error(code):
    """End a distributed rank that raised, now, with exit status ``code``.

    The traceback is printed and the logs flushed first. Any teardown of a
    rank whose peers may still be talking to it can abort (gloo's threads
    call ``std::terminate`` when the pairs close under DDP's live reducer:
    "terminate called without an active exception", SIGABRT) or block in
    a destructor, and waiting for the peers can hang: so nothing is torn
    down and torchrun reports the exit status. Outside distributed runs
    this returns and the caller raises as usual."""
    if not (torch_dist.is_available() and torch_dist.is_initialized()):
        return
    traceback.print_exc()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
