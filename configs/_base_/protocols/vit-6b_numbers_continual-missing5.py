# The numbers protocol, missing-class setting: the first 5 numbers of the
# class order (never forgotten) get no training data in any task; Acc_m is
# their accuracy.
_base_ = './vit-6b_numbers_continual.py'

train_dataloader = dict(dataset=dict(schedule=dict(num_missing_classes=5)))
