"""Time CPU inference of checkpoints in the same (plain) model config.

A forgotten model released by mmforget has its LoRA merged, so it must run
exactly as fast as the original; this measures it.
"""
import argparse
import statistics
import time
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import MODELS, DefaultScope  # noqa: E402

from mmforget.models.pretrained_loading import \
    checkpoint_state_dict  # noqa: E402


def time_model(model, inputs, repeats):
    model.eval()
    timings = []
    with torch.no_grad():
        model(inputs)  # warm-up
        for _ in range(repeats):
            start = time.perf_counter()
            model(inputs)
            timings.append(time.perf_counter() - start)
    return statistics.median(timings), statistics.stdev(timings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='plain (non-forgetting) model config')
    parser.add_argument('checkpoints', nargs='+')
    parser.add_argument('--batch-size', type=int, default=256)
    parser.add_argument('--repeats', type=int, default=50)
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cfg = Config.fromfile(args.config)
    backbone = cfg.model.backbone
    size = backbone.get('img_size', 224)
    channels = backbone.get('in_channels', 3)
    torch.manual_seed(0)
    inputs = torch.randn(args.batch_size, channels, size, size)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        for path in args.checkpoints:
            model = MODELS.build(cfg.model)
            model.load_state_dict(checkpoint_state_dict(path), strict=True)
            median, spread = time_model(model, inputs, args.repeats)
            params = sum(p.numel() for p in model.parameters())
            print(f'{path}: {median * 1e3:.2f} ms per batch of '
                  f'{args.batch_size} (stdev {spread * 1e3:.2f} ms), '
                  f'{params} parameters, {type(model).__name__}')


if __name__ == '__main__':
    main()
