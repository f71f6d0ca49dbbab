# The face protocol, missing-class setting: 5 remaining identities (the
# first of the class order) have no training data; Acc_m is their accuracy.
_base_ = './face-transformer_casia100_continual.py'

train_dataloader = dict(dataset=dict(schedule=dict(num_missing_classes=5)))
