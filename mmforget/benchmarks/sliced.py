"""S3T's table: what each deletion serves, what it keeps and what it
costs, over the seeds of ``make -f research.mk s3t-numbers``.

A seed is a store (``train_seed<s>/s3t_store``, written by
``SlicedTrainLoop``) and the deletion run that served it
(``delete_seed<s>``). The exact alternative a deletion avoids, retraining
one order from the base on the kept slices, is priced with the store's own
step times (the first order's first r steps, r the slices kept).
"""
import glob
import json
import os.path as osp

from mmforget.methods.s3t import surviving_prefixes
from .runs import load_summary
from .statistics import mean_std
from .tables import markdown_table


def seed_runs(root):
    """[(store index, deletion summary)] of every finished seed."""
    runs = []
    for train in sorted(glob.glob(osp.join(root, 'train_seed*'))):
        seed = train.rsplit('train_seed', 1)[1]
        index_path = osp.join(train, 's3t_store', 'index.json')
        summary = load_summary(osp.join(root, f'delete_seed{seed}'))
        if osp.isfile(index_path) and summary is not None:
            with open(index_path) as f:
                runs.append((json.load(f), summary))
    return runs


def served_slices(index, deleted):
    """The slices the longest surviving prefix holds."""
    orders = index['orders']
    prefixes = surviving_prefixes(orders, deleted)
    best = max(range(len(orders)), key=lambda b: (prefixes[b], -b))
    return orders[best][:prefixes[best]]


def s3t_table(root):
    runs = seed_runs(root)
    if not runs:
        raise FileNotFoundError(
            f'{root} holds no finished S3T seed (train_seed<s>/s3t_store and '
            'delete_seed<s>): run `make -f research.mk s3t-numbers`')
    index, summary = runs[0]
    slice_of = {c: i for i, s in enumerate(index['slices']) for c in s}
    num_slices = len(index['slices'])
    header = ['request', 'deletes', 'serves slices', 'kept slices served',
              'Acc_f', 'Acc_r', 'Acc_o', 'deletion (s)',
              'retraining one order instead (s)']
    rows, deleted = [], set()
    for k, task in enumerate(summary['tasks']):
        deleted |= {slice_of[c] for c in task['forget_classes']}
        served = served_slices(index, deleted)
        kept = num_slices - len(deleted)

        def over_seeds(key, k=k):
            return mean_std([s['tasks'][k].get(key) for _, s in runs])
        retrain = mean_std([sum(
            i['checkpoints'][f'sequence0_step{step}']['seconds']
            for step in range(kept)) for i, _ in runs])
        rows.append([
            k + 1, ', '.join(f'{min(index["slices"][s])}-'
                             f'{max(index["slices"][s])}'
                             for s in sorted({slice_of[c] for c in
                                              task['forget_classes']})),
            ', '.join(f'{min(index["slices"][s])}-{max(index["slices"][s])}'
                      for s in served) or 'the base only',
            f'{len(served)} / {kept}', over_seeds('forget'),
            over_seeds('retain'), over_seeds('old'),
            mean_std([s['tasks'][k].get('train_seconds') for _, s in runs],
                     2),
            retrain if kept else 'nothing to retrain'])
    base = mean_std([i['checkpoints']['base']['seconds'] for i, _ in runs])
    store = mean_std([sum(c['seconds'] for c in i['checkpoints'].values())
                      for i, _ in runs])
    first = [s['tasks'][0] for _, s in runs]
    sliced = mean_std([t.get('forget_before') for t in first])
    others = mean_std([t.get('retain_pretrained') for t in first])
    lines = markdown_table(header, rows) + [
        '', f'{len(runs)} seeds. Before any deletion (the full first '
        f"order), on the first request's slice: Acc {sliced}, on the "
        f'other classes {others}. Training the store: {store} s (the '
        f'base: {base} s).']
    return '\n'.join(lines) + '\n'
