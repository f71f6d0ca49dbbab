"""``forgetting_summary.json`` / ``.csv`` / ``.png`` of a continual run.

The JSON is the record of the run: one entry per finished task, all scores
in percent. ``--resume`` reads it to find where to continue. Files are
written to a temporary name and moved into place, so a crash never leaves
a half-written summary.
"""
import csv
import io
import json
import os
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.logging import print_log

from .forgetting_metric import task_scores
from .forgetting_scores import PER_CLASS_KEYS, subset_score
from .forgotten_object_fate import FATE_KEYS

SUMMARY_NAME = 'forgetting_summary'
CSV_COLUMNS = ('task', 'forget_classes', 'num_retain_classes',
               'forget_before', 'forget', 'retain', 'retain_pretrained',
               'old', 'missing', 'drop', 'h_mean', 'train_seconds',
               'trainable_params', 'total_params', 'zero_group_ratio')


def _write_atomically(path, data, mode='w'):
    tmp = f'{path}.tmp'
    with open(tmp, mode) as f:
        f.write(data)
    os.replace(tmp, path)


def pretrained_scores(metrics, schedule):
    """The pre-trained model's record: its per-class scores, on the classes
    kept to the end and on every class the schedule forgets."""
    per_class = {k: metrics[k] for k in PER_CLASS_KEYS if k in metrics}
    everything_forgotten = [c for t in schedule for c in t.forget]
    return dict(retain=subset_score(per_class, schedule[-1].retain),
                forget=subset_score(per_class, everything_forgotten),
                **per_class)


VAL_KEYS = ('forget', 'retain', 'old', 'missing', 'drop', 'h_mean')


def val_scores(metrics):
    """The validation scores a tuning reads (NaN, no such class: None)."""
    return {k: None if metrics[k] != metrics[k] else metrics[k]
            for k in VAL_KEYS if k in metrics}


def task_entry(task, after, forget_before, pretrained, total_params,
               trainable_params):
    """One task's scores, as ``forgetting_summary.json`` lists them:
    ``after`` the test metrics of the released model, ``forget_before``
    Acc_f (AP_f) before the task, ``pretrained`` the run's record."""
    scores = task_scores(after,
                         dict(task.to_dict(), forget_before=forget_before))
    entry = dict(
        task=task.index,
        forget_classes=list(task.forget),
        num_retain_classes=len(task.retain),
        forget_before=forget_before,
        forget=scores['forget'],
        retain=scores['retain'],
        retain_pretrained=subset_score(pretrained, task.retain),
        old=scores.get('old'),
        drop=scores['drop'],
        h_mean=scores['h_mean'],
        total_params=int(total_params))
    if task.missing:
        entry['missing'] = scores.get('missing')
    fate = {k: after[k] for k in FATE_KEYS if k in after}
    if fate:  # a ForgottenObjectFate among the test metrics
        entry['object_fate'] = fate
    entry['trainable_params'] = int(trainable_params)
    return entry


class ForgettingSummary:
    """Collects per-task results and writes them to the work dir."""

    def __init__(self, work_dir, method, metric='accuracy'):
        self.work_dir = work_dir
        self.record = dict(method=method, metric=metric, pretrained=None,
                           tasks=[])

    @property
    def json_path(self):
        return osp.join(self.work_dir, f'{SUMMARY_NAME}.json')

    @property
    def tasks(self):
        return self.record['tasks']

    @property
    def score_name(self):
        """'AP' for detection summaries, 'Acc' for classification."""
        return 'AP' if self.record.get('metric') == 'bbox_mAP' else 'Acc'

    @classmethod
    def load(cls, work_dir):
        """The summary of an earlier run, or None if there is none."""
        summary = cls(work_dir, method='')
        if not osp.isfile(summary.json_path):
            return None
        with open(summary.json_path) as f:
            summary.record = json.load(f)
        return summary

    def set_pretrained(self, scores):
        self.record['pretrained'] = scores

    def record_pretrained(self, metrics, schedule):
        """The pre-trained model's test ``metrics``: its scores and which
        metric the summary reads (AP for a detector, else accuracy)."""
        scores = pretrained_scores(metrics, schedule)
        self.record['metric'] = ('bbox_mAP' if 'class_ap' in scores else
                                 'accuracy')
        self.set_pretrained(scores)

    def check_resumable(self, schedule):
        """Refuse to resume a run whose finished tasks forgot other classes
        than ``schedule``'s."""
        for entry in self.tasks:
            expected = schedule[entry['task']].forget
            if entry['forget_classes'] != expected:
                raise ValueError(
                    f"cannot resume: task {entry['task']} of the earlier run "
                    f"forgot {entry['forget_classes']}, this config's "
                    f'schedule forgets {expected}')

    def add_task(self, entry):
        self.tasks.append(entry)

    def finish_task(self, entry):
        """Add a finished task, write the summary (main process) and log
        its scores."""
        self.add_task(entry)
        if is_main_process():
            self.write()
        print_log(f"Task {entry['task']} done: " + ', '.join(
            f'{k}={v:.2f}' for k, v in entry.items()
            if isinstance(v, float)), logger='current')

    def write(self):
        os.makedirs(self.work_dir, exist_ok=True)
        _write_atomically(self.json_path, json.dumps(self.record, indent=2))
        _write_atomically(
            osp.join(self.work_dir, f'{SUMMARY_NAME}.csv'), self.to_csv())
        self.plot(osp.join(self.work_dir, f'{SUMMARY_NAME}.png'))

    def to_csv(self):
        """One row per task; with the forgetting checks on, their numbers
        for this task's model (U) follow as ``check:<metric>`` columns
        (curves stay in the JSON)."""
        def scalar_checks(task):
            return {f'check:{k}': v for k, v in
                    (task.get('checks') or {}).get('U', {}).items()
                    if v is None or isinstance(v, (int, float))}

        check_columns = []
        for task in self.tasks:
            for name in scalar_checks(task):
                if name not in check_columns:
                    check_columns.append(name)
        out = io.StringIO()
        writer = csv.DictWriter(out, CSV_COLUMNS + tuple(check_columns),
                                extrasaction='ignore')
        writer.writeheader()
        for task in self.tasks:
            row = dict(task)
            row['forget_classes'] = ' '.join(
                str(c) for c in task['forget_classes'])
            row.update(scalar_checks(task))
            writer.writerow(row)
        return out.getvalue()

    def table(self):
        """A plain-text table of the tasks, for logs and the demo."""
        score = self.score_name
        header = (f"{'task':>4} {'forgotten':>14} {score + '_f before':>12} "
                  f"{score + '_f':>7} {score + '_r':>7} "
                  f"{score + '_r pre':>9} {score + '_o':>7} "
                  f"{'H-Mean':>7} {'seconds':>8}")
        lines = [header]
        for t in self.tasks:
            old = '-' if t['old'] is None else f"{t['old']:.2f}"
            lines.append(
                f"{t['task']:>4} {' '.join(map(str, t['forget_classes'])):>14}"
                f" {t['forget_before']:>12.2f} {t['forget']:>7.2f} "
                f"{t['retain']:>7.2f} {t['retain_pretrained']:>9.2f} "
                f"{old:>7} {t['h_mean']:>7.2f} {t['train_seconds']:>8.1f}")
        return '\n'.join(lines)

    def plot(self, path):
        """Accuracies per task, and each group's LoRA norm per task."""
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
        tasks = self.tasks
        if not tasks:
            return
        checked = any(t.get('checks') for t in tasks)
        fig, axes = plt.subplots(1, 3 if checked else 2,
                                 figsize=(16.5 if checked else 11, 4))
        ax_acc, ax_norm = axes[:2]
        if checked:
            plot_checks(axes[2], tasks)
        x = [t['task'] for t in tasks]
        score = self.score_name
        for key, label in (('retain', f'{score}_r (kept classes)'),
                           ('retain_pretrained',
                            f'{score}_r of the pre-trained model'),
                           ('forget_before', f'{score}_f before task'),
                           ('forget', f'{score}_f (forgotten now)'),
                           ('old', f'{score}_o (forgotten earlier)')):
            ys = [t.get(key) for t in tasks]
            if any(y is not None for y in ys):
                ax_acc.plot(x, [float('nan') if y is None else y for y in ys],
                            marker='o', label=label)
        ax_acc.set(xlabel='task', ylabel=f"{self.record['metric']} (%)",
                   title=f"{self.record['metric']} per task", xticks=x)
        ax_acc.legend(fontsize=8)
        groups = list(tasks[-1].get('group_norms', {}))
        if groups:
            grid = [[t.get('group_norms', {}).get(g, float('nan'))
                     for t in tasks] for g in groups]
            image = ax_norm.imshow(grid, aspect='auto', cmap='viridis')
            ax_norm.set(xticks=range(len(x)), xticklabels=x,
                        yticks=range(len(groups)), yticklabels=groups,
                        xlabel='task', ylabel='group (block)',
                        title='LoRA group norm ||theta_g|| at task end')
            fig.colorbar(image, ax=ax_norm)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format='png', dpi=100)
        plt.close(fig)
        _write_atomically(path, buffer.getvalue(), mode='wb')


# The checks a person looks at first: does the class come back from the
# features (probes, prototypes), and can its training images be told apart?
PLOTTED_CHECKS = ('ua', 'probe_acc_f', 'knn_acc_f', 'proto_acc_f',
                  'class_mia_loss_auc', 'mia_efficacy')


def plot_checks(ax, tasks):
    """The forgotten model's (U) checks per task, solid; Retrain's (R),
    dashed in the same colour, where the run has a reference."""
    x = [t['task'] for t in tasks]
    found = {name for t in tasks
             for name, value in ((t.get('checks') or {}).get('U') or
                                 {}).items()
             if isinstance(value, (int, float))}
    # A run with other checks (face verification, relearning) plots those.
    names = [n for n in PLOTTED_CHECKS if n in found] or sorted(found)[:6]
    for index, name in enumerate(names):
        color = f'C{index}'
        for model, style in (('U', '-'), ('R', '--')):
            ys = [(t.get('checks') or {}).get(model, {}).get(name)
                  for t in tasks]
            if all(y is None for y in ys):
                continue
            ax.plot(x, [float('nan') if y is None else y for y in ys],
                    style, marker='o', color=color,
                    label=name if model == 'U' else None)
    ax.set(xlabel='task', ylabel='%', xticks=x,
           title='forgetting checks: U solid, Retrain dashed')
    if names:
        ax.legend(fontsize=7)
