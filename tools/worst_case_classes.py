"""Pick the forget classes hardest to forget for a model (Challenging
Forgets, class-wise) and check the cheap proxy against the selection.

    python tools/worst_case_classes.py CONFIG CHECKPOINT --budget 20 \\
        [--iterations 20] [--seeds 0 1 2] [--out classes.json] \\
        [--results seed_systems.md:worst-case-numbers]

The bi-level selection (``mmforget.benchmarks.worst_case``) runs once per
seed (its random start matters); the proxy (lowest per-class training loss
of the original model) once. Prints, and writes to ``--out``, the classes
of each, their overlap and Spearman's rank correlation, and with
``--results`` a table row per seed into a results page.
"""
import argparse
import json
import time
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')

import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

import mmforget  # noqa: E402,F401
from mmforget.benchmarks.statistics import mean_std  # noqa: E402
from mmforget.benchmarks.tables import markdown_table, publish  # noqa: E402
from mmforget.benchmarks.worst_case import (  # noqa: E402
    lowest_loss_classes, spearman, worst_case_classes)
from mmforget.compat import INPUT_ERRORS  # noqa: E402
from mmforget.evaluation.checks import (build_datasets,  # noqa: E402
                                        build_model, head_parameters)
from mmforget.evaluation.checks.outputs import embed_split  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', help='the model to forget from')
    parser.add_argument('--budget', type=int, required=True,
                        help='how many classes to pick')
    parser.add_argument('--iterations', type=int, default=20)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--out', help='write the selections here (JSON)')
    parser.add_argument('--results', metavar='PAGE:NAME')
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model = build_model(cfg, args.checkpoint).eval()
    train_set, _ = build_datasets(cfg)
    feats, labels = embed_split(model, train_set, np.arange(len(train_set)))
    feats, labels = torch.from_numpy(feats), torch.from_numpy(labels)
    weight, bias, kind, _ = head_parameters(model.head)
    if kind != 'linear' or bias is None:
        raise SystemExit('error: the selection reads a linear head with a '
                         'bias (a cosine head is not supported)')
    weight, bias = weight.detach().cpu(), bias.detach().cpu()
    proxy, loss = lowest_loss_classes(feats, labels, weight, bias,
                                      args.budget)
    result = dict(budget=args.budget, proxy=proxy, selections={})
    rows = []
    for seed in args.seeds:
        start = time.time()
        picked, w = worst_case_classes(feats, labels, weight, bias,
                                       args.budget, args.iterations,
                                       seed=seed)
        seconds = time.time() - start
        overlap = len(set(picked) & set(proxy)) / args.budget
        rho = spearman(w.numpy(), -loss.numpy())
        result['selections'][seed] = dict(classes=picked,
                                          weights=w.tolist(),
                                          overlap_with_proxy=overlap,
                                          spearman_with_proxy=rho,
                                          seconds=round(seconds, 2))
        rows.append((seed, picked, overlap, rho, seconds))
        print(f'seed {seed}: {picked} (overlap with the proxy {overlap:.2f}'
              f', Spearman {rho:.2f}, {seconds:.1f} s)')
    print(f'proxy: {proxy}')
    firsts = [set(r[1]) for r in rows]
    stability = [len(a & b) / args.budget for i, a in enumerate(firsts)
                 for b in firsts[i + 1:]]
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=1)
    table = '\n'.join(markdown_table(
        ['seed', 'hardest classes (bi-level, hardest first)',
         'overlap with the proxy', 'Spearman with the proxy', 'seconds'],
        [[s, ' '.join(map(str, p)), f'{o:.2f}', f'{r:.2f}', f'{t:.1f}']
         for s, p, o, r, t in rows] + [[
             'proxy', ' '.join(map(str, proxy)), '', '', '']])) + (
        f'\n\nOverlap between the seeds\' selections: '
        f'{mean_std(stability, 2) if stability else "one seed"}; overlap '
        f'with the proxy {mean_std([r[2] for r in rows], 2)}, Spearman '
        f'{mean_std([r[3] for r in rows], 2)}.\n')
    publish(args.results, table)


if __name__ == '__main__':
    try:
        main()
    except INPUT_ERRORS as error:
        raise SystemExit(f'error: {error}')
