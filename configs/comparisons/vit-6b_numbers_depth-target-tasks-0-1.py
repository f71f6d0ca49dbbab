# The target rows of the 4 x 20 depth comparison
# (vit-6b_numbers_depth-target.py) stopped after task 1: its runs of tasks
# 0 and 1 are those of the whole schedule (a task's classes do not depend
# on how many tasks follow), in half the time, so that their checks fit a
# working session on 2 cores beside the runs. Same tuning (the first task
# on val). `make -f research.mk depth-numbers-target-tasks-0-1`.
_base_ = ['./vit-6b_numbers_depth-target.py']
options = ['train_dataloader.dataset.schedule.num_tasks=2']
