# The face protocol, few-shot setting: 4 images per identity (forget and
# retain), batch 4 + 4.
_base_ = './face-transformer_casia100_continual.py'

train_dataloader = dict(
    batch_size=4, dataset=dict(data_ratio=1.0, few_shot=4))
