# The numbers protocol, few-shot setting: 4 training images of every forget
# and retain number per task, batch 4 + 4.
_base_ = './vit-6b_numbers_continual.py'

train_dataloader = dict(batch_size=4, dataset=dict(data_ratio=1.0, few_shot=4))
