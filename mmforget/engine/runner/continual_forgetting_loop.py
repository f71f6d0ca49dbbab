"""One ``tools/train.py`` run executes every task of a forgetting schedule.

Per task: seed it, publish it, measure Acc_f before it, let the forgetting
method prepare (``train_cfg.method``: fresh adapters, a teacher, importance
weights, fresh weights...), build a fresh optimizer and schedule, train with
the method's steps, evaluate, let the method end the task (GS-LoRA merges
its adapters), save ``task_<t>.pth`` (plain weights only) and append to
``forgetting_summary.json``. ``--resume`` continues after the last finished
task and never repeats one. The loop never asks which method it runs.
"""
import copy
import glob
import os
import os.path as osp
import time

import torch
from mmengine.dataset import pseudo_collate
from mmengine.dist import broadcast, get_world_size, is_main_process
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import EpochBasedTrainLoop, set_random_seed
from torch.utils.data import DataLoader, Subset

from mmforget.datasets import ForgetRetainDataset
from mmforget.evaluation import (PER_CLASS_KEYS, TASK_INFO_KEY,
                                 ForgettingSummary, subset_score, task_scores)
from mmforget.evaluation.checks import (add_run_time, format_gap_card,
                                        gap_card, run_minutes)
from mmforget.evaluation.forgotten_object_fate import FATE_KEYS
from mmforget.evaluation.release_hygiene import release_path, write_release
from mmforget.models import load_plain_checkpoint
from mmforget.registry import FORGETTING_CHECKS, LOOPS, METHODS

COLLATE = 'mmforget.forget_retain_collate'
VAL_KEYS = ('forget', 'retain', 'old', 'missing', 'drop', 'h_mean')


def task_checkpoint_path(work_dir, task_index):
    return osp.join(work_dir, f'task_{task_index}.pth')


def task_seed(run_seed, task_index):
    """The seed of one task: from the run seed and the task index only, so
    a resumed task draws the same numbers as in an uninterrupted run."""
    return (int(run_seed) + 1009 * task_index) % 2**31


@LOOPS.register_module()
class ContinualForgettingLoop(EpochBasedTrainLoop):
    """Epoch-based training over a sequence of forgetting tasks.

    Args:
        dataloader (dict): its dataset must be a ``ForgetRetainDataset``.
        max_epochs (int): epochs per task.
        val_interval (int): validate every this many epochs of a task.
        select (str): which state ends a task: 'last' (the last epoch) or
            'best_val' (the best H-Mean on the validation split). The test
            split is never used for selection.
        method (dict): the forgetting method (a ``mmforget.METHODS`` type,
            e.g. ``dict(type='mmforget.GSLoRA')``); its name is the one
            written to the summary.
        ema (dict, optional): ``dict(begin_epoch=30, decay=0.9)``: from that
            epoch of a task, keep an exponential moving average of the
            trainable weights (updated after every epoch); validation scores
            it, and it is what the task keeps.
        reference (str, optional): the work dir (or summary) of a Retrain
            run of the same schedule: each task's summary entry then gets
            ``gap_to_reference``, the absolute differences of Acc_f, Acc_r
            and Acc_o to that run's task (the field's standard gaps).
        evaluation (dict, optional): run the forgetting checks after each
            task (``dict(checks=[...], per_class=100)``, a
            ``ForgettingEvaluator``; default checks without ``checks``):
            each entry gets ``checks`` with the results of this task's
            model (U), the pre-trained model (O) and, with ``reference``,
            the Retrain run's task (R), and the log the gap card.
    """

    def __init__(self, runner, dataloader, max_epochs, val_begin=1,
                 val_interval=1, select='last',
                 method=dict(type='mmforget.GSLoRA'), ema=None,
                 reference=None, evaluation=None):
        if select not in ('last', 'best_val'):
            raise ValueError(
                f"select must be 'last' or 'best_val', got {select!r}")
        if ema is not None and not 0 <= ema.get('decay', 0.9) < 1:
            raise ValueError(f'ema decay must be in [0, 1), got {ema}')
        self.ema_cfg = ema
        dataloader = copy.deepcopy(dataloader)
        collate = dataloader.setdefault('collate_fn', dict(type=COLLATE))
        if collate.get('type') not in (COLLATE, 'forget_retain_collate'):
            raise ValueError(
                f'ContinualForgettingLoop needs collate_fn=dict(type='
                f'{COLLATE!r}) in train_dataloader, got {collate}')
        self._dataloader_cfg = dataloader
        super().__init__(runner, dataloader, max_epochs, val_begin,
                         val_interval)
        self.dataset = self.dataloader.dataset
        if not isinstance(self.dataset, ForgetRetainDataset):
            raise TypeError(
                'ContinualForgettingLoop needs train_dataloader.dataset of '
                f'type mmforget.ForgetRetainDataset, got '
                f'{type(self.dataset).__name__}')
        self.select = select
        if not isinstance(method, dict):
            raise TypeError(
                f'train_cfg.method must be a method config such as '
                f"dict(type='mmforget.GSLoRA'), got {method!r}")
        self.method = METHODS.build(method)
        self.model.attach_method(self.method)
        self.dataset.use_forget_data = self.method.uses_forget_data
        self.schedule = self.dataset.schedule
        self.task_index = 0
        self.reference = self._load_reference(reference)
        self.reference_dir = (None if reference is None else
                              reference if osp.isdir(reference) else
                              osp.dirname(reference))
        self.evaluator = None
        if evaluation is not None:
            if not hasattr(self.model, 'embed'):
                raise ValueError(
                    'train_cfg.evaluation runs the forgetting checks of '
                    f'classifiers; {type(self.model).__name__} has no '
                    'embedding to check. For detectors add '
                    "dict(type='mmforget.ForgottenObjectFate') to "
                    'test_evaluator instead, and drop train_cfg.evaluation.')
            self.evaluator = FORGETTING_CHECKS.build(
                dict(dict(type='mmforget.ForgettingEvaluator'),
                     **evaluation))
        self._check_work_dir()

    # ------------------------------------------------------------------ run
    @property
    def model(self):
        model = self.runner.model
        return model.module if is_model_wrapper(model) else model

    def run(self):
        self.runner.call_hook('before_train')
        self._check_distributed_trainable()
        summary, first_task = self._start_or_resume()
        for index in range(first_task, len(self.schedule)):
            self._run_task(index, summary)
        if is_main_process():
            print_log('Forgetting summary:\n' + summary.table(),
                      logger='current')
        self.runner.call_hook('after_train')
        return self.runner.model

    def _run_task(self, index, summary):
        self.task_index = index
        self._epoch = 0
        self._seed_task(index)
        self.dataset.set_task(index)
        task = self.schedule[index]
        print_log(f'Task {index}: forgetting classes {task.forget}, '
                  f'keeping {len(task.retain)} classes', logger='current')

        before = dict(test=self._evaluate('test', task))
        if self.runner.val_loop is not None:
            before['val'] = self._evaluate('val', task)
        forget_before = {split: subset_score(m, task.forget)
                         for split, m in before.items()}

        start = time.time()
        self.method.start_task(self.model, self)
        self.method.set_trainable(self.model)
        self._sync_trainable()
        self._prepare_task_training()
        best = self._train_task(task, forget_before.get('val'))
        if best is not None:
            self._restore_trainable(best)
        trainable_params = self.model.trainable_param_count
        group_norms = self._group_norms()
        zero_group_ratio = self._zero_group_ratio()
        self.method.finish_task(self.model)
        train_seconds = time.time() - start
        after = self._evaluate('test', task, forget_before['test'])
        entry = self._summary_entry(task, after, forget_before['test'],
                                    summary.record['pretrained'])
        entry['trainable_params'] = int(trainable_params)
        if self.reference is not None:
            entry['gap_to_reference'] = self._gaps(
                entry, self.reference['tasks'][index])
        if 'val' in forget_before:
            # The released state on the validation split: what tuning reads.
            val = self._evaluate('val', task, forget_before['val'])
            entry['val'] = {k: None if val[k] != val[k] else val[k]
                            for k in VAL_KEYS if k in val}  # NaN: none
        if self.evaluator is not None and is_main_process():
            entry['checks'] = self.evaluator.after_task(self, task)
            add_run_time(
                entry['checks'],
                run_minutes(summary.tasks + [dict(
                    train_seconds=train_seconds)], index),
                None if self.reference is None else run_minutes(
                    self.reference['tasks'], index))
            check_seconds = sum(entry['checks']['seconds'].values())
            print_log(f'Gap card, task {index} (O original, U this task, '
                      'R reference):\n' + format_gap_card(gap_card(
                          *(entry['checks'].get(k) for k in 'OUR'))) +
                      f'\nThe checks took {check_seconds:.1f} s, '
                      f'{100 * check_seconds / train_seconds:.0f}% of the '
                      'task\'s training time', logger='current')
        entry.update(train_seconds=round(train_seconds, 2),
                     zero_group_ratio=zero_group_ratio,
                     group_norms=group_norms)
        self._save_task(index, task, forget_before['test'])
        summary.add_task(entry)
        if is_main_process():
            summary.write()
        print_log(f'Task {index} done: ' + ', '.join(
            f'{k}={v:.2f}' for k, v in entry.items()
            if isinstance(v, float)), logger='current')

    def _summary_entry(self, task, after, forget_before, pretrained):
        """One task's scores, as ``forgetting_summary.json`` lists them."""
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
            total_params=int(self.model.base_param_count))
        if task.missing:
            entry['missing'] = scores.get('missing')
        fate = {k: after[k] for k in FATE_KEYS if k in after}
        if fate:  # a ForgottenObjectFate among the test metrics
            entry['object_fate'] = fate
        return entry

    def run_iter(self, idx, data_batch):
        """``EpochBasedTrainLoop.run_iter`` with the method's step."""
        self.runner.call_hook(
            'before_train_iter', batch_idx=idx, data_batch=data_batch)
        outputs = self.method.train_step(self.runner.model, data_batch,
                                         self.runner.optim_wrapper)
        self.runner.call_hook(
            'after_train_iter', batch_idx=idx, data_batch=data_batch,
            outputs=outputs)
        self._iter += 1

    def _train_task(self, task, val_forget_before):
        """Epochs of one task; returns the selected trainable state or
        None (keep the last)."""
        best, best_score, ema = None, -1.0, None
        while self._epoch < self._max_epochs and not self.stop_training:
            self.method.before_epoch(self._epoch)
            self.run_epoch()
            ema = self._update_ema(ema)
            due = (self._epoch >= self.val_begin
                   and (self._epoch % self.val_interval == 0
                        or self._epoch == self._max_epochs))
            if self.runner.val_loop is not None and due:
                raw = self._swap_in(ema)
                metrics = self._evaluate('val', task, val_forget_before)
                score = metrics.get('h_mean', float('nan'))
                if self.select == 'best_val' and score > best_score:
                    best, best_score = self._copy_trainable(), score
                self._swap_in(raw)
        if best is None and ema is not None:
            best = ema
        return best

    def _update_ema(self, ema):
        """theta_ema <- decay * theta_ema + (1 - decay) * theta."""
        if self.ema_cfg is None or \
                self._epoch < self.ema_cfg.get('begin_epoch', 0):
            return ema
        if ema is None:
            return self._copy_trainable()
        decay = self.ema_cfg.get('decay', 0.9)
        for name, param in self._trainable_parameters().items():
            ema[name].mul_(decay).add_(param.detach(), alpha=1 - decay)
        return ema

    def _swap_in(self, state):
        """Load ``state`` into the trainable weights; return what they
        held."""
        if state is None:
            return None
        current = self._copy_trainable()
        self._restore_trainable(state)
        return current

    # -------------------------------------------------------------- helpers
    def _load_reference(self, reference):
        """The summary of a reference run whose tasks forget the classes
        this schedule forgets (checked now, before any training)."""
        if reference is None:
            return None
        path = reference if reference.endswith('.json') else osp.join(
            reference, 'forgetting_summary.json')
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'train_cfg.reference: no summary at {path}; give the work '
                'dir of a finished Retrain run of the same schedule')
        summary = ForgettingSummary.load(osp.dirname(path))
        tasks = summary.tasks
        if len(tasks) < len(self.schedule) or any(
                t['forget_classes'] != list(self.schedule[i].forget)
                for i, t in enumerate(tasks[:len(self.schedule)])):
            raise ValueError(
                f'train_cfg.reference: {path} does not hold the tasks of '
                'this schedule (same forget classes, in order, every task '
                'finished); run Retrain with this schedule first')
        return summary.record

    @staticmethod
    def _gaps(entry, reference_entry):
        gaps = {}
        for key in ('forget', 'retain', 'old'):
            mine, theirs = entry.get(key), reference_entry.get(key)
            if mine is not None and theirs is not None:
                gaps[key] = abs(mine - theirs)
        return gaps

    def _seed_task(self, index):
        randomness = self.runner._randomness_cfg
        set_random_seed(task_seed(self.runner.seed, index),
                        deterministic=randomness.get('deterministic', False),
                        diff_rank_seed=randomness.get('diff_rank_seed',
                                                      False))

    def _publish_task(self, task, forget_before=None):
        info = task.to_dict()
        info['forget_before'] = forget_before
        self.runner.message_hub.update_info(TASK_INFO_KEY, info)

    def evaluate(self, split):
        """Per-class scores (``class_correct``/``class_total`` or
        ``class_ap``) of the model as it is now on ``split`` ('val' or
        'test'), for the current task: what methods that search a setting
        on the validation split read."""
        return self._evaluate(split, self.schedule[self.task_index])

    def _evaluate(self, split, task, forget_before=None):
        self._publish_task(task, forget_before)
        loop = self.runner.test_loop if split == 'test' else \
            self.runner.val_loop
        metrics = loop.run()
        self.runner.model.train()
        return {k.split('/', 1)[-1]: v for k, v in metrics.items()}

    def _prepare_task_training(self):
        """A dataloader for the task, a fresh optimizer and schedule."""
        runner = self.runner
        cfg = dict(self._dataloader_cfg, dataset=self.dataset)
        self.dataloader = runner.build_dataloader(
            cfg, seed=task_seed(runner.seed, self.task_index),
            diff_rank_seed=runner._randomness_cfg.get('diff_rank_seed',
                                                      False))
        self._epoch = 0
        remaining = len(self.schedule) - self.task_index
        self._max_iters = self._iter + remaining * self._max_epochs * len(
            self.dataloader)
        runner.optim_wrapper = runner.build_optim_wrapper(
            copy.deepcopy(runner.cfg.optim_wrapper))
        runner.scale_lr(runner.optim_wrapper, runner.auto_scale_lr)
        if runner.cfg.get('param_scheduler') is not None:
            runner.param_schedulers = runner.build_param_scheduler(
                copy.deepcopy(runner.cfg.param_scheduler))
        runner.optim_wrapper.initialize_count_status(
            self.model, 0, self._max_epochs * len(self.dataloader))

    def _trainable_parameters(self):
        return {n: p for n, p in self.model.named_parameters()
                if p.requires_grad}

    def task_data_loader(self, split='all', batch_size=None):
        """The current task's training samples ('all', 'forget' or
        'retain'), each once, in order, through the training set's own
        pipeline: what methods prepare from (prototypes, importance)."""
        indices = dict(all=self.dataset.task_indices(),
                       forget=self.dataset.forget_indices,
                       retain=self.dataset.retain_indices)[split]
        subset = Subset(self.dataset.dataset, list(map(int, indices)))
        return DataLoader(
            subset, shuffle=False, collate_fn=pseudo_collate,
            batch_size=batch_size or self._dataloader_cfg.get(
                'batch_size', 32))

    def _check_distributed_trainable(self):
        """DDP reduces the gradients of what was trainable when it wrapped
        the model; a method that freezes some of it (the baselines freeze
        the head) needs unused-parameter detection."""
        wrapper = self.runner.model
        registered = getattr(wrapper, '_module_parameters', None)
        if registered is None or getattr(wrapper, 'find_unused_parameters',
                                         True):
            return
        # Called before the first task: requires_grad is still what it was
        # when DDP wrapped the model.
        names = {id(p): n for n, p in self.model.named_parameters()}
        if any(p.requires_grad and not self.method.is_trainable(names[id(p)])
               for p in registered):
            raise RuntimeError(
                f'{self.method.name} freezes parameters that were trainable '
                'when the model was wrapped for distributed training; add '
                'model_wrapper_cfg=dict(find_unused_parameters=True) to the '
                'config (or --cfg-options '
                'model_wrapper_cfg.find_unused_parameters=True)')

    def _sync_trainable(self):
        """Every rank starts the task from rank 0's trainable weights (fresh
        adapters, fresh initialisation)."""
        if get_world_size() > 1:
            for param in self._trainable_parameters().values():
                broadcast(param.data, src=0)

    def _copy_trainable(self):
        return {n: p.detach().clone()
                for n, p in self._trainable_parameters().items()}

    def _restore_trainable(self, state):
        with torch.no_grad():
            for name, param in self._trainable_parameters().items():
                param.copy_(state[name])

    def _group_norms(self):
        wrapper = self.runner.optim_wrapper
        if hasattr(wrapper, 'group_norms'):
            return {k: float(v) for k, v in wrapper.group_norms().items()}
        return {}

    def _zero_group_ratio(self):
        wrapper = self.runner.optim_wrapper
        if hasattr(wrapper, 'zero_group_ratio'):
            return float(wrapper.zero_group_ratio())
        return 0.0

    def _save_task(self, index, task, forget_before):
        """Merged weights and the task description (for tools/test.py);
        nothing that could restore what was forgotten (no LoRA, optimizer
        or old weights). ``release/task_<t>.pth`` has the weights only."""
        if not is_main_process():
            return
        info = task.to_dict()
        info['forget_before'] = forget_before
        checkpoint = dict(
            meta=dict(forgetting_task=info, method=self.method.name,
                      dataset_meta=self.dataset.metainfo),
            state_dict=self.model.merged_state_dict())
        path = task_checkpoint_path(self.runner.work_dir, index)
        torch.save(checkpoint, path + '.tmp')
        os.replace(path + '.tmp', path)
        # What the user hands on: the same weights, no class ids.
        write_release(checkpoint['state_dict'],
                      release_path(self.runner.work_dir, index),
                      self.method.name)

    # --------------------------------------------------------- start/resume
    def load_task_checkpoint(self, index):
        """Load the weights task ``index`` of this run released."""
        load_plain_checkpoint(
            self.model, task_checkpoint_path(self.runner.work_dir, index))

    def _check_work_dir(self):
        """Refuse to start a new run over an earlier one's results."""
        if self.runner._resume:
            return
        earlier = glob.glob(osp.join(self.runner.work_dir, 'task_*.pth'))
        if ForgettingSummary.load(self.runner.work_dir) or earlier:
            raise FileExistsError(
                f'{self.runner.work_dir} already holds a forgetting run '
                '(forgetting_summary.json / task_*.pth). Pass --resume to '
                'continue it, or --work-dir to start a new one elsewhere.')

    def _start_or_resume(self):
        summary = None
        if self.runner._resume:
            summary = ForgettingSummary.load(self.runner.work_dir)
        if summary is None or summary.record['pretrained'] is None:
            summary = ForgettingSummary(self.runner.work_dir,
                                        self.method.name)
            pretrained = self._evaluate('test', self.schedule[0])
            everything_forgotten = [c for t in self.schedule for c in t.forget]
            per_class = {k: pretrained[k] for k in PER_CLASS_KEYS
                         if k in pretrained}
            summary.record['metric'] = ('bbox_mAP' if 'class_ap' in per_class
                                        else 'accuracy')
            summary.set_pretrained(dict(
                retain=subset_score(per_class, self.schedule[-1].retain),
                forget=subset_score(per_class, everything_forgotten),
                **per_class))
            if is_main_process():
                summary.write()
            self.method.before_tasks(self.model, self)
            return summary, 0
        done = len(summary.tasks)
        for entry in summary.tasks:
            expected = self.schedule[entry['task']].forget
            if entry['forget_classes'] != expected:
                raise ValueError(
                    f"cannot resume: task {entry['task']} of the earlier run "
                    f"forgot {entry['forget_classes']}, this config's "
                    f'schedule forgets {expected}')
        self.method.before_tasks(self.model, self)
        if done:
            self.method.resume(self.model, self, done)
            self.load_task_checkpoint(done - 1)
            self._iter = done  # keeps logged steps increasing
        print_log(f'Resuming after {done} finished task(s)',
                  logger='current')
        return summary, done
