# The digits protocol, missing-class setting: 2 of the digits that are never
# forgotten get no training data. 3 tasks (10-2, 8-2, 6-2), so that 2 kept
# digits still have data after the last task; Acc_m is the accuracy on the
# 2 missing ones.
_base_ = './vit-tiny_digits_continual.py'

train_dataloader = dict(
    dataset=dict(schedule=dict(num_tasks=3, num_missing_classes=2)))
