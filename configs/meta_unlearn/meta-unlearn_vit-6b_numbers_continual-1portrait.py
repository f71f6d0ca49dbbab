# MetaUnlearn, one portrait: each request brings a single training image of
# each forgotten number; a learned loss (meta-trained at the start of each
# task on simulated requests among the kept numbers) takes one step of
# every weight on those portraits. Training-free for the loop.
_base_ = './meta-unlearn_vit-6b_numbers_continual.py'

train_dataloader = dict(dataset=dict(forget_shots=1))
