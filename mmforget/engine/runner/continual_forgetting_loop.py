"""One ``tools/train.py`` run executes every task of a forgetting schedule.

Per task: publish the task, measure Acc_f before it, start fresh LoRA
adapters and a fresh optimizer and schedule, train, evaluate, merge the
adapters into the weights, save ``task_<t>.pth`` (merged weights only) and
append to ``forgetting_summary.json``. ``--resume`` continues after the last
finished task and never repeats one.
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
from mmengine.runner import EpochBasedTrainLoop
from torch.utils.data import DataLoader, Subset

from mmforget.datasets import ForgetRetainDataset
from mmforget.evaluation import (PER_CLASS_KEYS, TASK_INFO_KEY,
                                 ForgettingSummary, subset_score, task_scores)
from mmforget.models import load_plain_checkpoint
from mmforget.registry import LOOPS

COLLATE = 'mmforget.forget_retain_collate'
VAL_KEYS = ('forget', 'retain', 'old', 'missing', 'drop', 'h_mean')


def task_checkpoint_path(work_dir, task_index):
    return osp.join(work_dir, f'task_{task_index}.pth')


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
        method (str): the method name written to the summary.
        ema (dict, optional): ``dict(begin_epoch=30, decay=0.9)``: from that
            epoch of a task, keep an exponential moving average of the LoRA
            weights (updated after every epoch); validation scores it, and
            it is what the task keeps and merges.
    """

    def __init__(self, runner, dataloader, max_epochs, val_begin=1,
                 val_interval=1, select='last', method='GS-LoRA', ema=None):
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
        self.method = method
        self.schedule = self.dataset.schedule
        self.task_index = 0
        self._check_work_dir()

    # ------------------------------------------------------------------ run
    @property
    def model(self):
        model = self.runner.model
        return model.module if is_model_wrapper(model) else model

    def run(self):
        self.runner.call_hook('before_train')
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
        self.dataset.set_task(index)
        task = self.schedule[index]
        self.model.start_task(index)
        self._sync_lora()
        if getattr(self.model, 'prototype_loss', None) is not None:
            self.model.update_prototypes(self._task_data_loader())
        print_log(f'Task {index}: forgetting classes {task.forget}, '
                  f'keeping {len(task.retain)} classes', logger='current')

        before = dict(test=self._evaluate('test', task))
        if self.runner.val_loop is not None:
            before['val'] = self._evaluate('val', task)
        forget_before = {split: subset_score(m, task.forget)
                         for split, m in before.items()}

        self._prepare_task_training()
        start = time.time()
        best = self._train_task(task, forget_before.get('val'))
        train_seconds = time.time() - start
        if best is not None:
            self._restore_lora(best)

        group_norms = self._group_norms()
        zero_group_ratio = self._zero_group_ratio()
        self.model.finish_task()
        after = self._evaluate('test', task, forget_before['test'])
        entry = self._summary_entry(task, after, forget_before['test'],
                                    summary.record['pretrained'])
        if 'val' in forget_before:
            # The released state on the validation split: what tuning reads.
            val = self._evaluate('val', task, forget_before['val'])
            entry['val'] = {k: None if val[k] != val[k] else val[k]
                            for k in VAL_KEYS if k in val}  # NaN: none
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
            trainable_params=int(self.model.trainable_param_count),
            total_params=int(self.model.base_param_count))
        if task.missing:
            entry['missing'] = scores.get('missing')
        return entry

    def _train_task(self, task, val_forget_before):
        """Epochs of one task; returns the selected LoRA state or None."""
        best, best_score, ema = None, -1.0, None
        while self._epoch < self._max_epochs and not self.stop_training:
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
                    best, best_score = self._copy_lora(), score
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
            return self._copy_lora()
        decay = self.ema_cfg.get('decay', 0.9)
        for name, param in self._lora_parameters().items():
            ema[name].mul_(decay).add_(param.detach(), alpha=1 - decay)
        return ema

    def _swap_in(self, state):
        """Load ``state`` into the adapters; return what they held."""
        if state is None:
            return None
        current = self._copy_lora()
        self._restore_lora(state)
        return current

    # -------------------------------------------------------------- helpers
    def _publish_task(self, task, forget_before=None):
        info = task.to_dict()
        info['forget_before'] = forget_before
        self.runner.message_hub.update_info(TASK_INFO_KEY, info)

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
            cfg, seed=runner.seed,
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

    def _lora_parameters(self):
        return {n: p for n, p in self.model.named_parameters()
                if '.lora_' in n}

    def _task_data_loader(self):
        """The task's training samples, each once, in order (GS-LoRA++
        prototypes)."""
        subset = Subset(self.dataset.dataset,
                        self.dataset.task_indices().tolist())
        return DataLoader(subset, batch_size=self._dataloader_cfg.get(
            'batch_size', 32), shuffle=False, collate_fn=pseudo_collate)

    def _sync_lora(self):
        """Every rank starts the task from rank 0's fresh adapters."""
        if get_world_size() > 1:
            for param in self._lora_parameters().values():
                broadcast(param.data, src=0)

    def _copy_lora(self):
        return {n: p.detach().clone()
                for n, p in self._lora_parameters().items()}

    def _restore_lora(self, state):
        with torch.no_grad():
            for name, param in self._lora_parameters().items():
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
        """Merged weights and the task description; nothing that could
        restore what was forgotten (no LoRA, optimizer or old weights)."""
        if not is_main_process():
            return
        info = task.to_dict()
        info['forget_before'] = forget_before
        checkpoint = dict(
            meta=dict(forgetting_task=info, method=self.method,
                      dataset_meta=self.dataset.metainfo),
            state_dict=self.model.merged_state_dict())
        path = task_checkpoint_path(self.runner.work_dir, index)
        torch.save(checkpoint, path + '.tmp')
        os.replace(path + '.tmp', path)

    # --------------------------------------------------------- start/resume
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
            summary = ForgettingSummary(self.runner.work_dir, self.method)
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
            return summary, 0
        done = len(summary.tasks)
        for entry in summary.tasks:
            expected = self.schedule[entry['task']].forget
            if entry['forget_classes'] != expected:
                raise ValueError(
                    f"cannot resume: task {entry['task']} of the earlier run "
                    f"forgot {entry['forget_classes']}, this config's "
                    f'schedule forgets {expected}')
        if done:
            path = task_checkpoint_path(self.runner.work_dir, done - 1)
            load_plain_checkpoint(self.model, path)
            self._iter = done  # keeps logged steps increasing
        print_log(f'Resuming after {done} finished task(s)',
                  logger='current')
        return summary, done
