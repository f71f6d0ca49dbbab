# RL, few-shot: the numbers protocol's 4-shot setting (4 training
# images of every forget and retain number per task, batch 4 + 4) with
# the values of rl_vit-6b_numbers_continual.py.
_base_ = [
    '../_base_/protocols/vit-6b_numbers_continual-4shot.py',
    '../_base_/methods/full_finetune.py'
]

optim_wrapper = dict(optimizer=dict(lr=0.001))
train_cfg = dict(
    method=dict(
        type='mmforget.RandomLabel', frozen=[]))
