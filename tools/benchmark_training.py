"""Time a training step of GS-LoRA against full fine-tuning and the floor.

The model of a forgetting config is built alone (random weights, random
images: no dataset or checkpoint is read) and one step of each mode is timed
on a batch of ``--batch`` retain plus ``--batch`` forget images:

* ``forward``: the plain model (no adapters), eval mode, no gradients.
* ``floor``: the plain model in train mode with every parameter frozen; the
  step is the forward and the backward of the method's loss to the (now
  ``requires_grad``) input images. No weight gradient is computed: this is
  the least a step can cost when the adapters sit in every block, since the
  activation gradients must flow down to the first of them anyway.
* ``gs-lora``: the config's model with its LoRA adapters, prepared as the
  continual loop prepares a task (``before_tasks``, ``start_task``,
  ``set_trainable``: only ``lora_A``/``lora_B`` train), stepped by the loop's
  own ``method.train_step`` with the config's optimizer wrapper (the
  group-sparse AdamW, structure loss included).
* ``full-ft``: the same model with ``lora=None`` and every parameter
  trainable, the same loss, AdamW (the config's optimizer settings) over all
  parameters, as the baselines that train the weights do.

Every mode computes the loss of the config's method (GS-LoRA: the retain
cross-entropy plus the bounded forget loss), prepared by its ``start_task``
on a random batch. The weights are random (the head too: its zero init would
stop every gradient), which changes the numbers, not the work.

Every mode runs in fp32 (PyTorch's default: no TF32 matmuls) and under AMP
(``torch.autocast`` around the preprocessing and forward; with fp16 on CUDA
the loss is scaled by a ``torch.amp.GradScaler``; on CPU AMP is bf16
autocast). Peak memory is
``torch.cuda.max_memory_allocated`` on CUDA (model, gradients, optimizer
state and activations: each mode builds its own model on a freed device),
and on CPU the growth of the process's peak RSS over its RSS before the
mode's model was built (Linux ``VmHWM``, reset per mode; n/a elsewhere).

Example (GPU)::

    python tools/benchmark_training.py \\
        configs/gs_lora/gs-lora_vit-b16_imagenet100_continual.py \\
        --device cuda --amp both --out results.json
"""
import argparse
import contextlib
import copy
import ctypes
import gc
import json
import logging
import os
import platform
import re
import statistics
import sys
import time
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

import torch  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.logging import MMLogger  # noqa: E402
from mmengine.optim import OptimWrapper, build_optim_wrapper  # noqa: E402
from mmengine.registry import MODELS, DefaultScope  # noqa: E402
from mmpretrain.structures import DataSample  # noqa: E402

import mmforget  # noqa: E402,F401
from mmforget.methods import TaskContext  # noqa: E402
from mmforget.registry import METHODS  # noqa: E402

MODES = ('forward', 'floor', 'gs-lora', 'full-ft')
PRECISIONS = dict(off=('fp32', ), on=('amp', ), both=('fp32', 'amp'))
AMP_DTYPES = dict(fp16=torch.float16, bf16=torch.bfloat16)


# ------------------------------------------------------------------ setup
def load_config(path, cfg_options=None):
    """The config with ``--cfg-options`` merged and no pretrained weights
    (the benchmark never reads a checkpoint)."""
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.model.pretrained = None
    return cfg


def input_shape(cfg, img_size=None):
    """(channels, size) of the model's input images."""
    backbone = cfg.model.backbone
    size = img_size or backbone.get('img_size', 224)
    return backbone.get('in_channels', 3), int(size)


def random_batch(cfg, batch, img_size=None, device='cpu', seed=0):
    """``batch`` retain then ``batch`` forget random images (0..255 floats,
    as the collate gives them to the data preprocessor) with random labels;
    data samples as ``ForgetRetainDataset`` makes them."""
    channels, size = input_shape(cfg, img_size)
    num_classes = cfg.model.head.num_classes
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.rand(2 * batch, channels, size, size,
                        generator=generator) * 255
    labels = torch.randint(0, num_classes, (2 * batch, ),
                           generator=generator)
    samples = []
    for index, label in enumerate(labels.tolist()):
        sample = DataSample().set_gt_label(label)
        sample.set_metainfo(dict(forget=index >= batch))
        samples.append(sample)
    return dict(inputs=inputs.to(device), data_samples=samples)


def one_batch_context(data):
    """The task context a method reads at the start of a task, whose
    training data is the one batch ``data`` (GS-LoRA++'s prototypes)."""
    return TaskContext(task_index=0, schedule=None, max_epochs=1,
                       run_seed=0, model_cfg=None, has_val_split=False,
                       data_loader=lambda *args, **kwargs: [data],
                       evaluate=None, load_released_task=None)


def quiet_init_weights(model):
    """``init_weights`` without its per-parameter log."""
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        model.init_weights()
    finally:
        logger.setLevel(level)


def build_model(cfg, mode, device='cpu', img_size=None, data=None):
    """The model of ``mode``, on ``device``, with the config's forgetting
    method attached and ``requires_grad`` set as the mode trains.

    ``gs-lora`` keeps the config's ``lora``; the other modes build the same
    model with ``lora=None``. ``data``: a batch for the method's task start
    (GS-LoRA++ computes prototypes on it).
    """
    if mode not in MODES:
        raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
    model_cfg = copy.deepcopy(cfg.model)
    if mode == 'gs-lora' and not model_cfg.get('lora'):
        raise ValueError('gs-lora needs a config whose model has LoRA '
                         '(model.lora)')
    if mode != 'gs-lora':
        model_cfg.lora = None
    if img_size:
        model_cfg.backbone.img_size = img_size
    if cfg.get('data_preprocessor') is not None:  # as the Runner merges it
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmpretrain')):
        model = MODELS.build(model_cfg)
    quiet_init_weights(model)
    # A zero head (its init) would give every other weight a zero gradient:
    # random, as in a trained model.
    with torch.no_grad():
        for param in model.head.parameters():
            param.normal_(0, 0.02)
    model.to(device)
    method = METHODS.build(cfg.train_cfg.method)
    model.attach_method(method)
    if data is None:
        data = random_batch(cfg, 1, img_size, device)
    context = one_batch_context(data)
    if mode == 'gs-lora':
        method.before_tasks(model, context)  # checks the adapters
    method.start_task(model, context)
    if mode == 'gs-lora':
        method.set_trainable(model)
    else:
        model.requires_grad_(mode == 'full-ft')
    model.train(mode != 'forward')
    return model


def trainable_params(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


# ------------------------------------------------------------ precision
def autocast(device, precision, amp_dtype):
    if precision == 'fp32':
        return contextlib.nullcontext()
    return torch.autocast(device_type=torch.device(device).type,
                          dtype=AMP_DTYPES[amp_dtype])


def needs_grad_scaler(device, precision, amp_dtype):
    return (precision == 'amp' and amp_dtype == 'fp16'
            and torch.device(device).type == 'cuda')


class AutocastStep(OptimWrapper):
    """Mixed after an ``OptimWrapper`` class: its ``optim_context`` (around
    ``train_step``'s preprocessing and forward) autocasts, and with a
    ``grad_scaler`` the backward scales the loss and the step unscales (and
    skips the steps whose gradients overflowed), as ``AmpOptimWrapper`` does
    but with ``torch.amp``. The wrapper's own ``update_params``/``step``
    (the group-sparse penalty) still run around them."""

    autocast_cfg = None
    grad_scaler = None

    @contextlib.contextmanager
    def optim_context(self, model):
        with super().optim_context(model), torch.autocast(
                **self.autocast_cfg):
            yield

    def backward(self, loss, **kwargs):
        if self.grad_scaler is None:
            return super().backward(loss, **kwargs)
        self.grad_scaler.scale(loss).backward(**kwargs)
        self._inner_count += 1

    def step(self, **kwargs):
        if self.grad_scaler is None:
            return super().step(**kwargs)
        if self.clip_grad_kwargs:
            self.grad_scaler.unscale_(self.optimizer)
            self._clip_grad()
        self.grad_scaler.step(self.optimizer, **kwargs)
        self.grad_scaler.update()


def with_amp(optim_wrapper, device, amp_dtype, grad_scaler=None):
    """``optim_wrapper`` made to autocast (and scale, with a
    ``grad_scaler``): its class gets ``AutocastStep`` after it."""
    cls = type(optim_wrapper)
    bases = (AutocastStep, ) if cls is OptimWrapper else (cls, AutocastStep)
    optim_wrapper.__class__ = type(f'Autocast{cls.__name__}', bases, {})
    optim_wrapper.autocast_cfg = dict(
        device_type=torch.device(device).type, dtype=AMP_DTYPES[amp_dtype])
    optim_wrapper.grad_scaler = grad_scaler
    return optim_wrapper


def build_optimizer(cfg, model, mode):
    """gs-lora: the config's optimizer wrapper (the group-sparse one, param
    groups from the LoRA groups); full-ft: a plain ``OptimWrapper`` with
    the config's optimizer over every parameter."""
    if mode == 'gs-lora':
        optim_cfg = cfg.optim_wrapper.copy()
    else:
        optim_cfg = dict(type='OptimWrapper',
                         optimizer=cfg.optim_wrapper.optimizer.copy())
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmpretrain')):
        return build_optim_wrapper(model, optim_cfg)


# ----------------------------------------------------------------- steps
def make_step(cfg, mode, model, data, device='cpu', precision='fp32',
              amp_dtype='bf16'):
    """A callable running one step of ``mode`` on ``data`` (and the optim
    wrapper of the training modes, else None)."""
    cast = lambda: autocast(device, precision, amp_dtype)  # noqa: E731

    if mode == 'forward':
        def forward_step():
            with torch.no_grad(), cast():
                batch = model.data_preprocessor(data, False)
                model(batch['inputs'], mode='tensor')
        return forward_step, None

    if mode == 'floor':
        images = data['inputs'].clone().requires_grad_(True)
        floor_data = dict(data, inputs=images)

        def floor_step():
            with cast():
                batch = model.data_preprocessor(floor_data, True)
                losses = model(**batch, mode='loss')
            loss, _ = model.parse_losses(losses)
            loss.backward()
            images.grad = None
        return floor_step, None

    optim_wrapper = build_optimizer(cfg, model, mode)
    if precision == 'amp':
        scaler = (torch.amp.GradScaler(torch.device(device).type)
                  if needs_grad_scaler(device, precision, amp_dtype)
                  else None)
        with_amp(optim_wrapper, device, amp_dtype, scaler)
    method = model.forgetting_method

    def train_step():
        # What ContinualForgettingLoop.run_iter runs.
        method.train_step(model, data, optim_wrapper)
    return train_step, optim_wrapper


# ---------------------------------------------------------------- memory
def _proc_status(key):
    try:
        with open('/proc/self/status') as f:
            match = re.search(rf'{key}:\s+(\d+) kB', f.read())
    except OSError:
        return None
    return int(match.group(1)) * 1024 if match else None


def malloc_trim():
    """Give the heap's free memory back to the system (glibc), so that the
    next mode's allocations show in its RSS."""
    try:
        ctypes.CDLL('libc.so.6').malloc_trim(0)
    except (OSError, AttributeError):
        pass


class MemoryMeter:
    """Peak memory of one mode: CUDA allocated, or CPU peak RSS growth."""

    def __init__(self, device):
        self.cuda = torch.device(device).type == 'cuda'
        self.kind = ('max_memory_allocated' if self.cuda else
                     'peak RSS delta' if _proc_status('VmHWM') else 'n/a')

    def start(self):
        gc.collect()
        if not self.cuda:
            malloc_trim()  # else freed memory is reused without showing
        if self.cuda:
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        elif self.kind != 'n/a':
            try:
                with open('/proc/self/clear_refs', 'w') as f:
                    f.write('5')  # resets VmHWM to the current RSS
            except OSError:
                self.kind = 'n/a'
            self.base = _proc_status('VmRSS')

    def peak_mib(self):
        if self.cuda:
            return torch.cuda.max_memory_allocated() / 2**20
        if self.kind == 'n/a':
            return None
        return (_proc_status('VmHWM') - self.base) / 2**20


def sync(device):
    if torch.device(device).type == 'cuda':
        torch.cuda.synchronize()


def time_step(step, warmup, iters, device):
    """Seconds of each of ``iters`` steps after ``warmup`` ones."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        sync(device)
        start = time.perf_counter()
        step()
        sync(device)
        times.append(time.perf_counter() - start)
    return times


def measure(cfg, mode, precision='fp32', batch=48, img_size=None,
            device='cpu', amp_dtype='bf16', warmup=3, iters=10):
    """Time ``mode`` in ``precision``; a result row."""
    meter = MemoryMeter(device)
    meter.start()
    data = random_batch(cfg, batch, img_size, device)
    model = build_model(cfg, mode, device, img_size, data)
    step, _ = make_step(cfg, mode, model, data, device, precision, amp_dtype)
    times = time_step(step, warmup, iters, device)
    peak = meter.peak_mib()
    median = statistics.median(times)
    row = dict(
        mode=mode, precision=precision if precision == 'fp32' else
        f'amp-{amp_dtype}', trainable_params=trainable_params(model),
        total_params=sum(p.numel() for p in model.parameters()),
        ms_per_step=median * 1e3,
        images_per_s=2 * batch / median,
        times_s=times, peak_mem_mib=peak, memory=meter.kind)
    del model, step, data
    gc.collect()
    if meter.cuda:
        torch.cuda.empty_cache()
    return row


def add_ratios(rows):
    """``vs_floor``: step time over the floor's in the same precision."""
    floors = {r['precision']: r['ms_per_step'] for r in rows
              if r['mode'] == 'floor'}
    for row in rows:
        floor = floors.get(row['precision'])
        row['vs_floor'] = row['ms_per_step'] / floor if floor else None
    return rows


def benchmark(cfg, modes=MODES, precisions=('fp32', 'amp'), batch=48,
              img_size=None, device='cpu', amp_dtype='bf16', warmup=3,
              iters=10, log=print):
    rows = []
    for precision in precisions:
        for mode in modes:
            log(f'{mode} ({precision}): {warmup} warm-up + {iters} timed '
                'steps')
            row = measure(cfg, mode, precision, batch, img_size, device,
                          amp_dtype, warmup, iters)
            log(f'{mode} ({row["precision"]}): '
                f'{row["ms_per_step"]:.2f} ms/step, '
                f'{row["images_per_s"]:.1f} images/s')
            rows.append(row)
    return add_ratios(rows)


# ---------------------------------------------------------------- report
def format_table(rows):
    def cell(value, fmt):
        return 'n/a' if value is None else format(value, fmt)

    lines = ['| mode | precision | trainable params | ms / step | images/s '
             '| peak memory (MiB) | time / floor |',
             '|---|---|---:|---:|---:|---:|---:|']
    for r in rows:
        lines.append(
            f'| {r["mode"]} | {r["precision"]} | {r["trainable_params"]:,} '
            f'| {r["ms_per_step"]:.2f} | {r["images_per_s"]:.1f} '
            f'| {cell(r["peak_mem_mib"], ".1f")} '
            f'| {cell(r["vs_floor"], ".2f")} |')
    return '\n'.join(lines)


def summary_lines(rows):
    by_key = {(r['mode'], r['precision']): r for r in rows}
    lines = []
    for precision in dict.fromkeys(r['precision'] for r in rows):
        gs = by_key.get(('gs-lora', precision))
        full = by_key.get(('full-ft', precision))
        parts = []
        if gs and gs['vs_floor']:
            parts.append(f'GS-LoRA step = {gs["vs_floor"]:.2f}x the floor')
        if gs and full:
            parts.append(f'full fine-tuning = '
                         f'{full["ms_per_step"] / gs["ms_per_step"]:.2f}x '
                         'the GS-LoRA step')
        if parts:
            lines.append(f'{precision}: ' + ', '.join(parts))
    return lines


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='forgetting config (model with LoRA)')
    parser.add_argument('--device', choices=('cpu', 'cuda'), default='cpu')
    parser.add_argument('--batch', type=int, default=48,
                        help='retain images, and as many forget images')
    parser.add_argument('--img-size', type=int, default=None,
                        help='default: the backbone img_size of the config')
    parser.add_argument('--modes', nargs='+', choices=MODES,
                        default=list(MODES))
    parser.add_argument('--amp', choices=tuple(PRECISIONS), default='both',
                        help='off: fp32 only; on: AMP only; both (default)')
    parser.add_argument('--amp-dtype', choices=tuple(AMP_DTYPES),
                        default=None,
                        help='default fp16 on CUDA; CPU AMP is always bf16')
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--threads', type=int, default=None,
                        help='torch CPU threads (default: torch\'s own)')
    parser.add_argument('--out', help='also write the results as JSON')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    args = parser.parse_args(argv)
    if args.device == 'cpu':
        if args.amp_dtype == 'fp16':
            print('CPU AMP is bf16 autocast: --amp-dtype fp16 ignored',
                  file=sys.stderr)
        args.amp_dtype = 'bf16'
    elif args.amp_dtype is None:
        args.amp_dtype = 'fp16'
    if args.batch < 1 or args.iters < 1 or args.warmup < 0:
        parser.error('--batch and --iters must be >= 1, --warmup >= 0')
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('--device cuda: CUDA is not available')
    cfg = load_config(args.config, args.cfg_options)
    channels, size = input_shape(cfg, args.img_size)

    def log(message):
        print(message, file=sys.stderr, flush=True)

    rows = benchmark(cfg, args.modes, PRECISIONS[args.amp], args.batch,
                     args.img_size, args.device, args.amp_dtype,
                     args.warmup, args.iters, log)
    device_name = (torch.cuda.get_device_name() if args.device == 'cuda'
                   else f'CPU ({platform.processor() or platform.machine()},'
                   f' {torch.get_num_threads()} threads)')
    memory = rows[0]['memory']
    print(f'{os.path.basename(args.config)} on {device_name}: '
          f'{args.batch} retain + {args.batch} forget images of '
          f'{channels}x{size}x{size}, median of {args.iters} steps after '
          f'{args.warmup} warm-up; torch {torch.__version__}\n')
    print(format_table(rows))
    print(f'\nPeak memory: {memory}' + (
        ' (model, gradients, optimizer state and activations)'
        if memory == 'max_memory_allocated' else
        ' (growth of the peak RSS over the RSS before the mode\'s model was'
        ' built)' if memory != 'n/a' else ''))
    for line in summary_lines(rows):
        print(line)
    if args.out:
        record = dict(config=args.config, device=device_name,
                      batch=args.batch, images=2 * args.batch,
                      input_shape=[channels, size, size],
                      amp_dtype=args.amp_dtype, warmup=args.warmup,
                      iters=args.iters, torch=torch.__version__,
                      memory=memory, results=rows)
        with open(args.out, 'w') as f:
            json.dump(record, f, indent=2)
    return rows


if __name__ == '__main__':
    main()
