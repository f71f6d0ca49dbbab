"""One ``tools/train.py`` run executes every task of a forgetting schedule.

Per task: seed, Acc_f before, the method's preparation, a fresh optimizer
and schedule, the method's steps, the method's end of task, then the task
reports (summary entry, reference gaps, checks, released weights) in a fixed
order. ``--resume`` continues after the last finished task. The loop never
asks which method it runs; a method reads a ``TaskContext``, not the loop.
"""
import copy
import time

from mmengine.dist import is_main_process
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import EpochBasedTrainLoop, set_random_seed

from mmforget.datasets import ForgetRetainDataset, forget_retain_loader_cfg
from mmforget.evaluation import TASK_INFO_KEY, ForgettingSummary, subset_score
from mmforget.evaluation.forgetting_summary import task_entry, val_scores
from mmforget.methods import build_method
from mmforget.methods.context import TaskContext, task_seed
from mmforget.models import load_plain_checkpoint
from mmforget.registry import LOOPS
from .task_reports import (ReferenceGaps, TaskChecks, optimizer_statistics,
                           refuse_earlier_run, save_task,
                           task_checkpoint_path)
from .trainable_state import (WeightAverage, check_distributed_trainable,
                              copy_trainable, restore_trainable, swap_in,
                              sync_trainable)

@LOOPS.register_module()
class ContinualForgettingLoop(EpochBasedTrainLoop):
    """Epoch-based training over a sequence of forgetting tasks.

    Args:
        dataloader (dict): its dataset must be a ``ForgetRetainDataset``.
        max_epochs (int): epochs per task (val_* count within a task).
        select (str): which state ends a task: 'last' or 'best_val' (the
            best H-Mean on the validation split; never the test split).
        method (dict): the forgetting method (a ``mmforget.METHODS`` type).
        ema (dict, optional): ``WeightAverage``'s (begin_epoch, decay).
        reference (str, optional): a Retrain run's work dir
            (``ReferenceGaps``).
        evaluation (dict, optional): the forgetting checks after each task
            (``TaskChecks``, a ``ForgettingEvaluator``).
    """

    def __init__(self, runner, dataloader, max_epochs, val_begin=1,
                 val_interval=1, select='last', method=dict(
                     type='mmforget.GSLoRA'), ema=None, reference=None,
                 evaluation=None):
        if select not in ('last', 'best_val'):
            raise ValueError(
                f"select must be 'last' or 'best_val', got {select!r}")
        self.weight_average = None if ema is None else WeightAverage(**ema)
        self._dataloader_cfg = forget_retain_loader_cfg(dataloader)
        super().__init__(runner, self._dataloader_cfg, max_epochs, val_begin,
                         val_interval)
        self.dataset = ForgetRetainDataset.required(self.dataloader.dataset)
        self.select = select
        self.method = build_method(method, self.model)
        self.dataset.read_for(self.method.uses_forget_data, dataloader)
        self.schedule = self.dataset.schedule
        self.task_index = 0
        self.reference = (None if reference is None else
                          ReferenceGaps(reference, self.schedule))
        self.checks = (None if evaluation is None else
                       TaskChecks(evaluation, self.model))
        if not runner._resume:
            refuse_earlier_run(runner.work_dir)

    @property
    def model(self):  # the unwrapped model
        model = self.runner.model
        return model.module if is_model_wrapper(model) else model

    def run(self):
        self.runner.call_hook('before_train')
        check_distributed_trainable(self.runner.model, self.model,
                                    self.method)
        summary, first_task = self._start_or_resume()
        for index in range(first_task, len(self.schedule)):
            self._run_task(index, summary)
        if is_main_process():
            print_log('Forgetting summary:\n' + summary.table(),
                      logger='current')
        self.runner.call_hook('after_train')
        return self.runner.model

    def _run_task(self, index, summary):
        self.task_index, self._epoch = index, 0
        self._seed_task(index)
        self.dataset.set_task(index)
        task = self.schedule[index]
        print_log(f'Task {index}: forgetting classes {task.forget}, '
                  f'keeping {len(task.retain)} classes', logger='current')
        splits = ('test', 'val') if self.runner.val_loop else ('test', )
        forget_before = {split: subset_score(self._evaluate(split, task),
                                             task.forget) for split in splits}

        start = time.time()
        self.method.start_task(self.model, self.context(index))
        self.method.set_trainable(self.model)
        sync_trainable(self.model)
        self._prepare_task_training()
        best = self._train_task(task, forget_before.get('val'))
        if best is not None:
            restore_trainable(self.model, best)
        trainable = self.model.trainable_param_count
        statistics = optimizer_statistics(self.runner.optim_wrapper)
        self.method.finish_task(self.model)
        train_seconds = time.time() - start

        after = self._evaluate('test', task, forget_before['test'])
        entry = task_entry(task, after, forget_before['test'],
                           summary.record['pretrained'],
                           self.model.base_param_count, trainable)
        if self.reference is not None:
            self.reference.add_gaps(entry)
        if 'val' in forget_before:  # the released state: what tuning reads
            entry['val'] = val_scores(
                self._evaluate('val', task, forget_before['val']))
        if self.checks is not None:
            self.checks.add_checks(entry, train_seconds, self.runner.cfg,
                                   self.schedule, self.model, summary,
                                   self.reference)
        entry.update(train_seconds=round(train_seconds, 2), **statistics)
        info = dict(task.to_dict(), forget_before=forget_before['test'])
        save_task(self.runner.work_dir, info, self.method.name,
                  self.dataset.metainfo, self.model.released_state_dict())
        summary.finish_task(entry)

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
        best, best_score, average = None, -1.0, self.weight_average
        if average is not None:
            average.start_task()
        while self._epoch < self._max_epochs and not self.stop_training:
            self.method.before_epoch(self._epoch)
            self.dataset.set_epoch(self._epoch)
            self.run_epoch()
            if average is not None:
                average.update(self.model, self._epoch)
            due = (self._epoch >= self.val_begin
                   and (self._epoch % self.val_interval == 0
                        or self._epoch == self._max_epochs))
            if self.runner.val_loop is not None and due:
                raw = swap_in(self.model, average and average.state)
                score = self._evaluate('val', task, val_forget_before).get(
                    'h_mean', float('nan'))
                if self.select == 'best_val' and score > best_score:
                    best, best_score = copy_trainable(self.model), score
                swap_in(self.model, raw)
        return best if best is not None or average is None else \
            average.state

    # ------------------------------------------------ what a method reads
    def context(self, index):
        """The read-only view of task ``index`` that method hooks get."""
        return TaskContext(
            task_index=index, schedule=self.schedule,
            max_epochs=self._max_epochs, run_seed=self.runner.seed,
            model_cfg=copy.deepcopy(self.runner.cfg.model),
            has_val_split=self.runner.val_loop is not None,
            data_loader=self._task_data_loader,
            evaluate=lambda split: self._evaluate(split,
                                                  self.schedule[index]),
            load_released_task=self.load_released_task)

    def _task_data_loader(self, split='all', batch_size=None,
                          task_index=None):
        return self.dataset.task_data_loader(
            split, batch_size or self._dataloader_cfg.get('batch_size', 32),
            task_index)

    def load_released_task(self, index):
        """Load the weights task ``index`` of this run released."""
        load_plain_checkpoint(
            self.model, task_checkpoint_path(self.runner.work_dir, index))

    # ------------------------------------------------------------ helpers
    def _seed_task(self, index):
        randomness = self.runner._randomness_cfg
        set_random_seed(task_seed(self.runner.seed, index), **{
            k: randomness.get(k, False)
            for k in ('deterministic', 'diff_rank_seed')})

    def _evaluate(self, split, task, forget_before=None):
        self.runner.message_hub.update_info(
            TASK_INFO_KEY, dict(task.to_dict(), forget_before=forget_before))
        loop = self.runner.test_loop if split == 'test' else \
            self.runner.val_loop
        metrics = loop.run()
        self.runner.model.train()
        return {k.split('/', 1)[-1]: v for k, v in metrics.items()}

    def _prepare_task_training(self):
        """A dataloader for the task, a fresh optimizer and schedule."""
        runner = self.runner
        self.dataloader = runner.build_dataloader(
            dict(self._dataloader_cfg, dataset=self.dataset),
            seed=task_seed(runner.seed, self.task_index),
            diff_rank_seed=runner._randomness_cfg.get('diff_rank_seed',
                                                      False))
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

    def _start_or_resume(self):
        summary = (ForgettingSummary.load(self.runner.work_dir)
                   if self.runner._resume else None)
        done = 0
        if summary is None or summary.record['pretrained'] is None:
            summary = ForgettingSummary(self.runner.work_dir,
                                        self.method.name)
            summary.record_pretrained(
                self._evaluate('test', self.schedule[0]), self.schedule)
            if is_main_process():
                summary.write()
        else:
            summary.check_resumable(self.schedule)
            done = len(summary.tasks)
            print_log(f'Resuming after {done} finished task(s)',
                      logger='current')
        self.method.before_tasks(self.model, self.context(0))
        if done:
            self.method.resume(self.model, self.context(0), done)
            self.load_released_task(done - 1)
            self._iter = done  # keeps logged steps increasing
        return summary, done
